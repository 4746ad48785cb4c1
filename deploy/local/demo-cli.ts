#!/usr/bin/env node
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { ConfigError, reasonOf, StyleStreamError } from '@stylestream/errors';
import { TOPICS } from '@stylestream/schemas';
import { readArrivals, readTopicOffsets } from './demo-arrivals';
import { DemoIngestApi } from './demo-ingest-api';
import { formatArrivals, formatPhaseTimes, formatServeInfo, type PhaseTime } from './demo-report.format';
import { runningFromPidFile } from './process/process-supervisor';
import { StackError } from './stack-error';
import { StackLayout } from './stack-layout';
import { buildStackServices, readTopology } from './stack-services';
import { clientEnvironment, loadStackSettings, type StackSettings } from './stack-settings';
import { seconds } from './status-table';

interface DemoOptions {
  images?: string;
  generate?: number;
  seed: number;
  out?: string;
  topic?: string;
  port: number;
  apiKey: string;
  serve: boolean;
}

const say = (text = ''): void => {
  process.stdout.write(`${text}\n`);
};

/** Children running in the foreground (stack up, schemas, ingest): a signal stops them too. */
const children = new Set<ChildProcess>();

/** Runs `node <script> ...args` with the terminal attached; fails naming `what` on a non-zero exit unless `okCodes` lists it. */
function runNode(what: string, script: string, args: readonly string[], env: Record<string, string>, okCodes: readonly number[] = [0]): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [script, ...args], { stdio: 'inherit', env: { ...process.env, ...env } });
    children.add(child);
    child.once('error', (err) => reject(new StackError(`${what}: ${err.message}`, err)));
    child.once('exit', (code, signal) => {
      children.delete(child);
      if (code !== null && okCodes.includes(code)) resolvePromise(code);
      else reject(new StackError(`${what} failed (${signal === null ? `exit code ${String(code)}` : `signal ${signal}`}); see its output above`));
    });
  });
}

/** Times each phase and prints a header before and the time after it. */
class PhaseClock {
  readonly times: PhaseTime[] = [];
  constructor(private readonly count: number) {}

  async run<T>(name: string, body: () => Promise<T>): Promise<T> {
    say(`\n==> [${this.times.length + 1}/${this.count}] ${name}`);
    const started = Date.now();
    const result = await body();
    const ms = Date.now() - started;
    this.times.push({ name, ms });
    say(`--- ${name}: ${seconds(ms)}`);
    return result;
  }
}

/** A path the user typed, from where it was typed: `npm run` moves to the repo root and keeps the original folder in INIT_CWD. */
function fromCaller(path: string): string {
  return resolve(process.env.INIT_CWD ?? process.cwd(), path);
}

/** Which input the ingest phase uses: --images, else ../shared/data/clothing-small beside the repo, else a generated set. */
function ingestArgs(options: DemoOptions, settings: StackSettings): { args: string[]; what: string } {
  const topic = options.topic === undefined ? [] : ['--topic', options.topic];
  const generate = (count: number): { args: string[]; what: string } => ({
    args: ['--generate', String(count), '--seed', String(options.seed), ...(options.out === undefined ? [] : ['--out', fromCaller(options.out)]), ...topic],
    what: `${count} generated images (seed ${options.seed})`,
  });
  if (options.generate !== undefined) return generate(options.generate);
  if (options.images !== undefined) {
    const dir = fromCaller(options.images);
    return { args: ['--dir', dir, ...topic], what: dir };
  }
  const shared = resolve(settings.repoDir, '..', 'shared', 'data', 'clothing-small');
  if (existsSync(shared)) return { args: ['--dir', shared, ...topic], what: shared };
  say(`(no --images and no ${shared}: generating a labelled set instead)`);
  return generate(300);
}

/** How many stack services have a live process of ours. With none, the demo owns the stack and stops it at the end. */
function runningServices(settings: StackSettings): { running: number; of: number } {
  const layout = new StackLayout(settings.stackDir);
  const services = buildStackServices(settings, readTopology(layout).brokers);
  return { running: services.filter((s) => runningFromPidFile(layout.pidFile(s.name)) !== undefined).length, of: services.length };
}

async function demo(options: DemoOptions): Promise<number> {
  if (options.images !== undefined && options.generate !== undefined) throw new ConfigError(['give --images <dir> or --generate <count>, not both']);
  const settings = loadStackSettings();
  const dist = (...parts: string[]): string => join(settings.repoDir, 'dist', ...parts);
  const clock = new PhaseClock(options.serve ? 5 : 4);
  let api: DemoIngestApi | undefined;
  let stopsStack = false;
  let stopping = false;

  const shutdown = async (why: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    say(`\n${why}: stopping`);
    for (const child of children) child.kill('SIGTERM');
    await api?.stop();
    if (stopsStack) await runNode('stack down', dist('deploy', 'local', 'stack-cli.js'), ['down'], {}).catch((err: unknown) => say(reasonOf(err)));
  };
  // Ctrl-C while serving is the normal end (exit 0); during an earlier phase it is an interruption (130).
  let stoppedBySignal: (code: number) => void = () => undefined;
  const stopped = new Promise<number>((resolveStopped) => {
    stoppedBySignal = resolveStopped;
  });
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping) process.exit(130); // a second Ctrl-C: leave now
    const code = api === undefined ? 130 : 0;
    void shutdown(signal).finally(() => stoppedBySignal(code));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  try {
    return await phases();
  } catch (err) {
    if (stopping) return stopped;
    await api?.stop();
    if (stopsStack) say('\n(the stack this demo started is left running to look into the failure: npm run stack -- logs; stop it with npm run stack -- down)');
    throw err;
  }

  async function phases(): Promise<number> {
    await clock.run('stack up (Kafka, schema registry, Elasticsearch, Prometheus, Alertmanager)', async () => {
      const { running, of } = runningServices(settings);
      stopsStack = running === 0;
      if (stopsStack) say('the stack is not running: starting it (and stopping it again when the demo ends)');
      else say(`${running === of ? 'the stack is running' : `${running} of ${of} stack services are running`}: reusing it; the demo leaves it running`);
      await runNode('stack up', dist('deploy', 'local', 'stack-cli.js'), ['up'], {});
    });
    const stackEnv = clientEnvironment(settings, readTopology(new StackLayout(settings.stackDir)).brokers);
    const clientEnv = { KAFKA_BROKERS: stackEnv.KAFKA_BROKERS ?? '', SCHEMA_REGISTRY_URL: stackEnv.SCHEMA_REGISTRY_URL ?? '' };
    const topic = options.topic ?? TOPICS.imageArrived;

    await clock.run('register schemas', () => runNode('schemas register', dist('libs', 'schemas', 'src', 'cli', 'schemas-cli.js'), ['register'], clientEnv));

    const before = await clock.run(`ingest into ${topic}`, async () => {
      const input = ingestArgs(options, settings);
      say(`input: ${input.what}`);
      const offsets = await readTopicOffsets({ brokers: clientEnv.KAFKA_BROKERS.split(','), topic });
      const code = await runNode('ingest', dist('apps', 'ingest', 'src', 'cli', 'ingest-cli.js'), input.args, clientEnv, [0, 2]);
      if (code === 2) say('(some items were rejected: see the reasons above; the rest was sent)');
      return offsets;
    });

    await clock.run(`read ${topic} back`, async () => {
      const report = await readArrivals({ brokers: clientEnv.KAFKA_BROKERS.split(','), registryUrl: clientEnv.SCHEMA_REGISTRY_URL, topic }, before);
      process.stdout.write(formatArrivals(report));
    });

    if (!options.serve) {
      say(`\n${formatPhaseTimes(clock.times)}`);
      say(stopsStack ? 'the stack keeps running (--no-serve); stop it with: npm run stack -- down' : 'done');
      return 0;
    }

    const logFile = join(settings.repoDir, '.data', 'demo', 'ingest-api.log');
    await clock.run('start the ingest HTTP API', async () => {
      const ingestApi = new DemoIngestApi({
        entry: dist('apps', 'ingest', 'src', 'main.js'),
        port: options.port,
        apiKey: options.apiKey,
        env: { ...clientEnv, ...(options.topic === undefined ? {} : { INGEST_TOPIC: options.topic }) },
        logFile,
      });
      api = ingestApi;
      await ingestApi.start();
    });
    say(`\n${formatPhaseTimes(clock.times)}`);
    say(formatServeInfo({ ingestUrl: `http://127.0.0.1:${options.port}`, apiKey: options.apiKey, stack: stackEnv, logFile, stopsStack }));
    const how = await api?.ended;
    if (stopping) return stopped;
    await shutdown(`the ingest API ended (${how ?? '?'})`);
    return 1;
  }
}

function parseWhole(min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isInteger(n) || n < min || n > max) throw new InvalidArgumentError(`a whole number from ${min} to ${max}`);
    return n;
  };
}

const program = new Command()
  .name('demo')
  .description('The main job, end to end so far: start the local stack, register the schemas, ingest a folder of images into image-arrived, show what arrived, then serve the ingest API until Ctrl-C.')
  .option('--images <dir>', 'folder of images, <class>/ subfolders as category labels (default: ../shared/data/clothing-small beside the repo, else --generate 300)')
  .option('--generate <count>', 'ingest a generated labelled set of <count> PNGs instead', parseWhole(1, 1_000_000))
  .option('--seed <n>', 'seed of the generated set', parseWhole(0, 2 ** 31), 1)
  .option('--out <dir>', 'where the generated set is written (default <repo>/.data/generated-images)')
  .option('--topic <name>', 'publish to and read back this topic instead of image-arrived (tests use a unique one)')
  .option('--port <n>', 'port of the ingest HTTP API', parseWhole(1, 65535), 8090)
  .option('--api-key <key>', 'API key the ingest API accepts (x-api-key)', 'demo-key-123')
  .option('--no-serve', 'stop after showing what arrived (tests, CI); the stack is left running')
  .showHelpAfterError();

program
  .parseAsync(process.argv)
  .then(() => demo(program.opts<DemoOptions>()))
  .then((code) => process.exit(code))
  .catch((err: unknown) => {
    process.stderr.write(`demo: ${err instanceof StyleStreamError ? err.message : reasonOf(err)}\n`);
    process.exit(1);
  });
