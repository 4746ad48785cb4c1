import { mkdirSync, readdirSync } from 'node:fs';
import { StackInstaller } from './install/stack-installer';
import { runningFromPidFile } from './process/process-supervisor';
import { startService, StartOutcome } from './service-runner';
import { StackService } from './services/stack-service';
import { StackError } from './stack-error';
import { StackLayout } from './stack-layout';
import { buildStackServices, readTopology, writeTopology } from './stack-services';
import { StackSettings } from './stack-settings';
import { seconds } from './status-table';

export interface UpReport {
  readonly installMs: number;
  readonly installed: readonly string[];
  readonly startMs: number;
  readonly outcomes: ReadonlyMap<string, StartOutcome>;
}

/** Names of kafka nodes whose recorded process still runs. */
function runningKafkaNodes(layout: StackLayout): string[] {
  let files: string[];
  try {
    files = readdirSync(layout.runDir);
  } catch {
    return [];
  }
  return files
    .filter((f) => /^kafka-\d+\.pid$/.test(f))
    .map((f) => f.replace(/\.pid$/, ''))
    .filter((name) => runningFromPidFile(layout.pidFile(name)) !== undefined);
}

/** Runs the installers that are missing: Maven ones one after the other (they share ~/.m2), apt alongside. */
async function installMissing(services: readonly StackService[], log: (line: string) => void): Promise<string[]> {
  const unique = new Map<string, StackInstaller>();
  for (const service of services) {
    if (service.notStartable() !== undefined) continue;
    for (const installer of service.installers) if (!installer.isInstalled()) unique.set(installer.name, installer);
  }
  const missing = [...unique.values()];
  const apt = missing.filter((i) => i.name.includes('(apt)'));
  const maven = missing.filter((i) => !apt.includes(i));
  const timed = async (installer: StackInstaller): Promise<void> => {
    const started = Date.now();
    await installer.install(log);
    log(`${installer.name}: installed in ${seconds(Date.now() - started)}`);
  };
  const sequential = async (): Promise<void> => {
    for (const installer of maven) await timed(installer);
  };
  await Promise.all([sequential(), ...apt.map(timed)]);
  return missing.map((i) => i.name);
}

/**
 * `up`: install what is missing, then start the Kafka nodes, Elasticsearch,
 * Prometheus and Alertmanager concurrently, and the schema registry as soon as
 * every Kafka node is healthy. Every failure is collected and reported in one
 * StackError; components that did start are left running for `down`.
 */
export async function stackUp(settings: StackSettings, brokers: number, log: (line: string) => void): Promise<UpReport> {
  const layout = new StackLayout(settings.stackDir);
  for (const dir of [layout.root, layout.runDir, layout.logsDir]) mkdirSync(dir, { recursive: true });
  const previous = readTopology(layout);
  const liveKafka = runningKafkaNodes(layout);
  if (liveKafka.length > 0 && previous.brokers !== brokers) {
    throw new StackError(`Kafka is running with ${previous.brokers} broker(s) (${liveKafka.join(', ')}); run \`npm run stack -- down\` before \`up --brokers ${brokers}\``);
  }
  const services = buildStackServices(settings, brokers);
  writeTopology(layout, { brokers });

  const installStarted = Date.now();
  const installed = await installMissing(services, log);
  const installMs = Date.now() - installStarted;

  const startStarted = Date.now();
  const outcomes = new Map<string, StartOutcome>();
  const failures: string[] = [];
  const starts = new Map<string, Promise<boolean>>();
  const start = async (service: StackService): Promise<boolean> => {
    await Promise.resolve(); // let every service enter `starts` before looking up prerequisites
    const prerequisites = await Promise.all(service.after.map((name) => starts.get(name) ?? Promise.resolve(true)));
    if (prerequisites.includes(false)) {
      failures.push(`${service.name}: not started because ${service.after.join(', ')} did not start`);
      return false;
    }
    try {
      outcomes.set(service.name, await startService(service, layout, log));
      return true;
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      failures.push(message.startsWith(service.name) ? message : `${service.name}: ${message}`);
      return false;
    }
  };
  for (const service of services) starts.set(service.name, start(service));
  await Promise.all(starts.values());
  const startMs = Date.now() - startStarted;
  if (failures.length > 0) {
    const running = [...outcomes.keys()].filter((name) => outcomes.get(name)?.kind !== 'skipped');
    const left = running.length > 0 ? `\n(left running: ${running.join(', ')}; \`npm run stack -- down\` stops them)` : '';
    throw new StackError(`stack up failed:\n- ${failures.join('\n- ')}${left}`);
  }
  return { installMs, installed, startMs, outcomes };
}
