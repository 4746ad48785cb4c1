import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { Presets, SingleBar } from 'cli-progress';
import { StyleStreamError, reasonOf } from '@stylestream/errors';
import { TopicProvisioner, chainTopicSpecs, loadKafkaConfig } from '@stylestream/kafka';
import type { ModelRegistryState, VersionRecord } from '@stylestream/model';
import { TOPICS } from '@stylestream/schemas';
import { createLogger } from '@stylestream/logging';
import { DemoAppProcess } from '../demo-app.process';
import { StackError } from '../stack-error';
import { groupPosition } from './group-position';
import type { MigrationContext } from './migration-context';
import { versionChainLaunches, versionNames, type VersionNames } from './migration-plan';
import { chooseModel, type ModelChoice } from './model-choice';
import { ReplayRate, formatDuration, formatEstimate, type ReplayEstimate } from './replay-progress';

export interface MigrateOptions {
  to?: string;
  model?: string;
  /** Images per second the replay extracts at most (0: no cap). */
  rate: number;
  topic?: string;
  indexDir?: string;
  /** HTTP port of the new version's index-writer (0: a free one). */
  indexPort: number;
  /** Switch the active version once caught up (default true). */
  cutover: boolean;
  /** Exit after the cutover instead of keeping the version's chain running (its shards stay on disk). */
  serve: boolean;
  /** Seconds between progress lines when the output is not a terminal. */
  progressEvery: number;
}

/** How the foreground part ended: the exit code. */
type Stop = { readonly code: number; readonly why: string };

/**
 * `npm run model -- migrate --to <version>`: replays image-arrived into a
 * new model version beside the current one, then cuts over.
 * 1. the model is chosen (unknown version or id: InvalidInputError, exit 2);
 * 2. the registry topic and chain topics exist; the version is registered BUILDING with its index-writer as owner;
 * 3. its extractor (new group, throttled), dedupe and index-writer (own groups, skipping other versions) start;
 * 4. progress from the new extractor group's position on image-arrived, until every stage of the version is caught up;
 * 5. READY, and (unless --no-cutover) the active version switches; 6. the chain keeps running (live traffic) until Ctrl-C,
 *    or until `cleanup` retires this version.
 */
export async function migrate(ctx: MigrationContext, options: MigrateOptions): Promise<number> {
  const model = chooseModel(ctx.modelsDir, options.to, options.model);
  const { registry, topics, say } = ctx;
  await registry.ensureTopic();
  const before = await registry.read();
  const previous = before.active?.version;
  const existing = before.version(model.version);
  say(`model ${model.id}, version ${model.version} (${model.dim}-d); active now: ${previous ?? 'none'}${existing === undefined ? '' : `; this version is registered (${existing.state})`}`);

  await ensureChainTopics(ctx);
  const names = versionNames(model.version, options.topic);
  const indexDir = options.indexDir ?? join(ctx.repoDir, '.data', 'demo', 'index');
  const indexPort = options.indexPort === 0 ? await freePort() : options.indexPort;
  const logDir = join(ctx.repoDir, '.data', 'model', options.topic === undefined ? model.version : `${options.topic}-${model.version}`);
  await runNode('model build', ctx.dist('libs', 'model', 'src', 'cli', 'model-build.cli.js'), ['--models-dir', ctx.modelsDir]);

  const apps = versionChainLaunches({ dist: ctx.dist, modelsDir: ctx.modelsDir, model, topics, names, clientEnv: ctx.clientEnv, indexDir, indexPort, rate: options.rate, logDir }).map(
    (launch) => new DemoAppProcess(launch),
  );
  const owner = `http://127.0.0.1:${indexPort}`;
  const stopApps = (): Promise<void> => Promise.all(apps.map((a) => a.stop())).then(() => undefined);
  let signalled: (stop: Stop) => void = () => undefined;
  const signal = new Promise<Stop>((resolve) => {
    signalled = resolve;
  });
  let stopping = false;
  let servingNow = false;
  const onSignal = (name: NodeJS.Signals): void => {
    if (stopping) process.exit(130);
    stopping = true;
    say(`\n${name}: stopping the ${model.version} chain`);
    signalled({ code: servingNow ? 0 : 130, why: name });
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  try {
    say(`replay: groups ${Object.values(names.groups).join(', ')}; dedupe state ${names.dedupeStateTopic}; shards in ${join(indexDir, model.version)}; index-writer ${owner}; rate ${options.rate > 0 ? `${options.rate} images/s` : 'uncapped'}; logs ${logDir}`);
    const t0 = Date.now();
    await Promise.all(apps.map((a) => a.start()));
    say(`extractor, dedupe and index-writer of ${model.version} running (${formatDuration((Date.now() - t0) / 1000)})`);
    const state = existing?.state === 'READY' ? 'READY' : 'BUILDING';
    await registry.publish({ kind: 'version', value: versionRecord(model, state, owner, names, indexDir) });

    const caughtUp = await Promise.race([watchProgress(ctx, model, names, options).then((): Stop | undefined => undefined), signal, firstEnd(apps)]);
    if (caughtUp !== undefined) {
      await stopApps();
      return caughtUp.code;
    }
    await registry.publish({ kind: 'version', value: versionRecord(model, 'READY', owner, names, indexDir) });
    if (options.cutover && previous !== model.version) {
      await registry.publish({ kind: 'active', value: { version: model.version, previous: previous ?? null, updatedAt: Date.now() } });
      say(`cut over: the active version is ${model.version}${previous === undefined ? '' : ` (was ${previous}); remove the old shards with: npm run model -- cleanup --version ${previous}`}`);
    } else if (!options.cutover) {
      say(`caught up; the active version stays ${previous ?? 'none'} (--no-cutover). Switch with: npm run model -- cutover --to ${model.version}`);
    }
    if (!options.serve) {
      await stopApps();
      say(`stopped the ${model.version} chain (--no-serve); its shards stay in ${join(indexDir, model.version)}`);
      return 0;
    }
    servingNow = true;
    say(`serving ${model.version}: its chain keeps indexing new images; Ctrl-C stops it (cleanup of this version also stops it)`);
    let retired: (stop: Stop) => void = () => undefined;
    const retirement = new Promise<Stop>((resolve) => {
      retired = resolve;
    });
    const { stop: unfollow } = await registry.follow((s: ModelRegistryState) => {
      if (s.version(model.version)?.state === 'RETIRED') retired({ code: 0, why: 'retired by cleanup' });
    });
    const end = await Promise.race([signal, retirement, firstEnd(apps)]);
    await unfollow();
    await stopApps();
    say(`${model.version} chain stopped (${end.why})`);
    return end.code;
  } catch (err) {
    await stopApps();
    throw err;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

function versionRecord(model: ModelChoice, state: VersionRecord['state'], owner: string, names: VersionNames, indexDir: string): VersionRecord {
  return {
    version: model.version,
    modelId: model.id,
    dim: model.dim,
    state,
    owners: [owner],
    groups: Object.values(names.groups),
    dedupeStateTopic: names.dedupeStateTopic,
    indexDir,
    updatedAt: Date.now(),
  };
}

/** Resolves when any app ends by itself (exit code 1, naming it). */
function firstEnd(apps: readonly DemoAppProcess[]): Promise<Stop> {
  return Promise.race(apps.map((a) => a.ended.then((how) => ({ code: 1, why: `${a.name} ended: ${how}` }))));
}

/**
 * Polls every second until the version's three groups are caught up on their
 * inputs, in chain order within one poll (extractor on image-arrived, then
 * dedupe on vector-extracted, then the index-writer on vector-cleaned), and
 * shows done/remaining, rate and ETA of the extractor's replay.
 */
async function watchProgress(ctx: MigrationContext, model: ModelChoice, names: VersionNames, options: MigrateOptions): Promise<void> {
  const { kafka, topics, say } = ctx;
  const rate = new ReplayRate();
  const tty = process.stdout.isTTY;
  const bar = tty ? new SingleBar({ format: `${model.version} [{bar}] {value}/{total} images | {rate}/s | ETA {eta_text} | {stage}`, hideCursor: true }, Presets.shades_classic) : undefined;
  const started = Date.now();
  let lastLine = 0;
  let estimate: ReplayEstimate | undefined;
  try {
    for (;;) {
      let stage = 'extracting';
      try {
        estimate = rate.add(Date.now(), await groupPosition(kafka, names.groups.extractor, topics.imageArrived));
        if (estimate.remaining === 0) {
          const dedupe = await groupPosition(kafka, names.groups.dedupe, topics.vectorExtracted);
          stage = `dedupe ${dedupe.remaining} behind`;
          if (dedupe.remaining === 0) {
            const writer = await groupPosition(kafka, names.groups.indexWriter, topics.vectorCleaned);
            stage = `index-writer ${writer.remaining} behind`;
            if (writer.remaining === 0) stage = 'caught up';
          }
        }
      } catch (err) {
        stage = `(${reasonOf(err)})`;
      }
      if (estimate !== undefined) {
        const total = estimate.done + estimate.remaining;
        const payload = { rate: estimate.rate.toFixed(1), eta_text: estimate.etaSeconds === undefined ? '?' : formatDuration(estimate.etaSeconds), stage };
        if (bar !== undefined) {
          if (lastLine === 0) bar.start(total, estimate.done, payload);
          bar.setTotal(total);
          bar.update(estimate.done, payload);
          lastLine = Date.now();
        } else if (stage === 'caught up' || Date.now() - lastLine >= options.progressEvery * 1000) {
          say(`progress: ${formatEstimate(estimate)}; ${stage}`);
          lastLine = Date.now();
        }
      }
      if (stage === 'caught up' && estimate !== undefined) {
        bar?.stop();
        const seconds = (Date.now() - started) / 1000;
        say(`replay done: ${estimate.done} images in ${formatDuration(seconds)} (${(estimate.done / Math.max(seconds, 0.001)).toFixed(1)} images/s overall)`);
        return;
      }
      await new Promise<void>((resolve) => setTimeout(resolve, 1000));
    }
  } finally {
    bar?.stop();
  }
}

/** The chain topics (and their .dlq) with the broker defaults, renamed with --topic; existing ones are left as they are. */
async function ensureChainTopics(ctx: MigrationContext): Promise<void> {
  const config = loadKafkaConfig({ ...process.env, KAFKA_BROKERS: ctx.clientEnv.KAFKA_BROKERS });
  const rename: Record<string, string> = {
    [TOPICS.imageArrived]: ctx.topics.imageArrived,
    [TOPICS.vectorExtracted]: ctx.topics.vectorExtracted,
    [TOPICS.vectorCleaned]: ctx.topics.vectorCleaned,
    [TOPICS.indexUpdated]: ctx.topics.indexUpdated,
  };
  const specs = chainTopicSpecs(config.topicDefaults).flatMap((spec) => {
    const topic = rename[spec.topic];
    return topic === undefined ? [] : [{ ...spec, topic }];
  });
  await new TopicProvisioner(ctx.kafka, createLogger('model-cli', 'warn')).ensure(specs);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function runNode(what: string, script: string, args: readonly string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], { stdio: 'inherit' });
    child.once('error', (err) => reject(new StackError(`${what}: ${err.message}`, err)));
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new StackError(`${what} failed (exit code ${String(code)})`))));
  });
}

const USAGE_CODES = new Set(['MODEL_UNKNOWN', 'VERSION_ACTIVE', 'VERSION_BEHIND']);
/** A refusal caused by what the user asked (unknown version, the active one, one still behind): exit code 2. */
export const isUsageError = (err: unknown): boolean => err instanceof StyleStreamError && USAGE_CODES.has(String((err as { code?: unknown }).code));
