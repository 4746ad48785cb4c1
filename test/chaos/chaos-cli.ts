#!/usr/bin/env node
import { Command, InvalidArgumentError } from 'commander';
import { reasonOf } from '@stylestream/errors';
import { findRepoDir } from '../../deploy/local/stack-settings';
import { CHAOS_TINY_MODEL_ID } from './chaos-model';
import { SCENARIOS, abortChaos, runChaos, type ChaosOptions, type ScenarioId } from './chaos-run';

function whole(min: number, max: number): (text: string) => number {
  return (text) => {
    const n = Number(text);
    if (!Number.isInteger(n) || n < min || n > max) throw new InvalidArgumentError(`a whole number from ${min} to ${max}`);
    return n;
  };
}

function scenarioList(text: string): ScenarioId[] {
  const ids = text.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  for (const id of ids) if (!(SCENARIOS as readonly string[]).includes(id)) throw new InvalidArgumentError(`unknown scenario "${id}" (known: ${SCENARIOS.join(',')})`);
  return ids as ScenarioId[];
}

const program = new Command()
  .name('test:chaos')
  .description('Publishes generated image events through the whole chain on a private stack while injecting faults, scenario by scenario, and checks every store afterwards.')
  .option('--events <n>', 'image events per scenario', whole(100, 10_000_000), 100_000)
  .option('--scenarios <list>', `comma-separated scenarios (${SCENARIOS.join(',')})`, scenarioList, [...SCENARIOS])
  .option('--quick', 'one kill per app, 20 s outages', false)
  .option('--seed <n>', 'seed of the corpus and of the fault timings', whole(0, 2 ** 31), Date.now() % 1_000_000)
  .option('--keep-stack', 'leave the private stack running at the end', false)
  .option('--converge-timeout <s>', 'how long the stores may take to converge after the last fault', whole(10, 86_400), 1800)
  .option(
    '--model <id>',
    `embedding model: ${CHAOS_TINY_MODEL_ID} (the tests' tiny ONNX graph, written for the run) or a folder of models/ such as mobilenet-v2-nsfwjs (env CHAOS_MODEL_ID)`,
    process.env.CHAOS_MODEL_ID ?? CHAOS_TINY_MODEL_ID,
  )
  .showHelpAfterError();

let aborting = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (aborting) process.exit(130);
    aborting = true;
    process.stdout.write(`\n${signal}: stopping the apps and the private stack\n`);
    abortChaos()
      .catch((err: unknown) => process.stderr.write(`${reasonOf(err)}\n`))
      .finally(() => process.exit(130));
  });
}

program
  .parseAsync(process.argv)
  .then(async () => {
    const o = program.opts<{ events: number; scenarios: ScenarioId[]; quick: boolean; seed: number; keepStack: boolean; convergeTimeout: number; model: string }>();
    const options: ChaosOptions = { events: o.events, scenarios: o.scenarios, quick: o.quick, seed: o.seed, keepStack: o.keepStack, convergeMs: o.convergeTimeout * 1000, model: o.model };
    process.stdout.write(`chaos: ${JSON.stringify(options)}\n`);
    const results = await runChaos(findRepoDir(__dirname), options);
    process.stdout.write(`${JSON.stringify(results.map((r) => ({ scenario: r.scenario, ran: r.ran, ok: r.ok, events: r.events, lost: r.lost, duplicated: r.duplicated, dlq: r.dlq, maxLag: r.maxLag, recoveryMs: r.recoveryMs, catalog: r.catalog, analytics: r.analytics, note: r.note })))}\n`);
    process.exit(results.every((r) => !r.ran || r.ok) ? 0 : 1);
  })
  .catch((err: unknown) => {
    process.stderr.write(`test:chaos: ${reasonOf(err)}\n`);
    process.exit(1);
  });
