import { readdirSync } from 'node:fs';
import { stopService } from './service-runner';
import { StackLayout } from './stack-layout';
import { buildStackServices, readTopology } from './stack-services';
import { StackSettings } from './stack-settings';
import { StopOutcome } from './process/process-supervisor';

/**
 * `down`: stops exactly the processes recorded in run/*.pid — the dependents
 * first (the registry, a Kafka client), then everything else at once. Processes this
 * stack did not start are never signalled.
 */
export async function stackDown(settings: StackSettings): Promise<Map<string, StopOutcome>> {
  const layout = new StackLayout(settings.stackDir);
  const services = buildStackServices(settings, readTopology(layout).brokers);
  const grace = new Map(services.map((s) => [s.name, s.stopGraceMs]));
  let recorded: string[];
  try {
    recorded = readdirSync(layout.runDir).filter((f) => f.endsWith('.pid')).map((f) => f.replace(/\.pid$/, ''));
  } catch {
    recorded = [];
  }
  const firstWave = services.filter((s) => s.after.length > 0).map((s) => s.name);
  const outcomes = new Map<string, StopOutcome>();
  const stop = async (name: string): Promise<void> => {
    outcomes.set(name, await stopService(name, layout, grace.get(name) ?? 30_000));
  };
  await Promise.all(recorded.filter((n) => firstWave.includes(n)).map(stop));
  await Promise.all(recorded.filter((n) => !firstWave.includes(n)).map(stop));
  return outcomes;
}
