#!/usr/bin/env node
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { ConfigError, InternalError, reasonOf, StyleStreamError } from '@stylestream/errors';
import { snapshotOffsetOnDisk } from '@stylestream/index';
import { TOPICS } from '@stylestream/schemas';
import { Client as ElasticsearchClient } from '@elastic/elasticsearch';
import { createLogger } from '@stylestream/logging';
import { KafkaModelRegistry } from '@stylestream/model';
import { Kafka, logLevel } from 'kafkajs';
import { readArrivals, readTopicOffsets, type ArrivalsReport } from './demo-arrivals';
import { DemoAppProcess } from './demo-app.process';
import { pickQueryImage, searchByImage } from './demo-search';
import { chainAppLaunches, demoNaming, groupBacklog, provisionDemoTopics, startGroupAtIfNew, type DemoNaming } from './demo-apps';
import { chainTopicsToMark, grownSince, markChain, readChainSummary, type ChainMarks } from './demo-chain';
import {
  formatArrivals,
  formatCatalogSummary,
  formatChainSummary,
  formatPhaseTimes,
  formatServeInfo,
  formatTrendSummary,
  formatImageSearch,
  type CatalogSummary,
  type PhaseTime,
  type TrendSummary,
} from './demo-report.format';
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
  catalogPort: number;
  analyticsPort: number;
  lagPort: number;
  searchPort: number;
  indexPort: number;
  apiKey: string;
  serve: boolean;
  catchUpTimeout: number;
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

/** The calendar quarter (UTC) of a time, `2026Q4`: what analytics groups images by (their publishedAt). */
function quarterOf(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}Q${Math.floor(d.getUTCMonth() / 3) + 1}`;
}

async function getJson<T>(url: string): Promise<T> {
  const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  const body = await response.text();
  const problem = `GET ${url} answered ${response.status}: ${body.slice(0, 300)}`;
  // A 4xx is a bug of the demo (a parameter the API rejects): waiting longer does not help.
  if (response.status >= 400 && response.status < 500) throw new InternalError(problem);
  if (!response.ok) throw new StackError(problem);
  return JSON.parse(body) as T;
}

/**
 * Polls until both sinks have committed up to the end offsets the read-back
 * saw, the catalogue counts at least `minLive` images, and analytics answers
 * for the quarter; prints progress every few seconds. Fails at the deadline
 * naming what was still missing.
 */
async function waitForSinks(input: {
  brokers: string[];
  naming: DemoNaming;
  arrivals: ArrivalsReport;
  catalogUrl: string;
  analyticsUrl: string;
  quarter: string;
  minLive: number;
  deadlineMs: number;
}): Promise<{ catalog: CatalogSummary; trends: TrendSummary }> {
  const { brokers, naming, arrivals, catalogUrl, analyticsUrl, quarter, minLive } = input;
  const ends = arrivals.partitions;
  const deadline = Date.now() + input.deadlineMs;
  let lastSaid = 0;
  let state: string;
  for (;;) {
    try {
      const [catalogBacklog, analyticsBacklog] = await Promise.all([
        groupBacklog(brokers, naming.groups.catalog, naming.topics.imageArrived, ends),
        groupBacklog(brokers, naming.groups.analytics, naming.topics.imageArrived, ends),
      ]);
      const catalog = await getJson<Omit<CatalogSummary, 'url'>>(`${catalogUrl}/v1/images?size=0&facets=category,color,style`);
      const trends = await getJson<Omit<TrendSummary, 'url'>>(`${analyticsUrl}/v1/stats/trends?quarter=${quarter}&dimension=category`);
      state = `catalog: ${catalog.total} live images, ${catalogBacklog} records behind; analytics: ${trends.images} images in ${quarter}, ${analyticsBacklog} records behind`;
      if (catalogBacklog === 0 && analyticsBacklog === 0 && catalog.total >= minLive) {
        say(state);
        return { catalog: { ...catalog, url: catalogUrl }, trends: { ...trends, url: analyticsUrl } };
      }
    } catch (err) {
      if (err instanceof InternalError) throw err;
      state = reasonOf(err);
    }
    if (Date.now() >= deadline) throw new StackError(`the catalogue and analytics did not catch up within ${seconds(input.deadlineMs)} (last: ${state}); see .data/demo/<app>.log`);
    if (Date.now() - lastSaid >= 3000) {
      say(`  waiting: ${state}`);
      lastSaid = Date.now();
    }
    await new Promise<void>((resolveSleep) => setTimeout(resolveSleep, 500));
  }
}

/** The embedding model's id, version and output dimension, from `<dir>/<id>/manifest.json`. */
function readModel(dir: string, id: string): { dir: string; id: string; version: string; dim: number } {
  const manifest = JSON.parse(readFileSync(join(dir, id, 'manifest.json'), 'utf8')) as { version?: unknown; output?: { dim?: unknown }; projection?: { outputDim?: unknown } | null };
  const { version } = manifest;
  // A learned head projects the backbone's features: the vectors have its output dimension.
  const dim = manifest.projection?.outputDim ?? manifest.output?.dim;
  if (typeof version !== 'string' || typeof dim !== 'number') throw new InternalError(`${join(dir, id, 'manifest.json')} has no version or output.dim`);
  return { dir, id, version, dim };
}

/**
 * Polls until the stages have committed everything upstream wrote, stage by
 * stage: the extractor up to the image-arrived end offsets the read-back saw;
 * then dedupe up to the end of vector-extracted; then the index-writer and
 * analytics up to the end of vector-cleaned (each end read once the stage
 * before is caught up, so it holds all of this run); last, until the
 * index-writer's snapshot MANIFEST.json reflects those vector-cleaned offsets
 * (it snapshots every INDEX_SNAPSHOT_EVERY_MS and publishes index-updated
 * then; every record, indexed, duplicate or dead-lettered, counts as applied).
 * Prints progress every few seconds; fails at the deadline naming the stage
 * still behind.
 */
async function waitForChain(input: {
  brokers: string[];
  naming: DemoNaming;
  arrivals: ArrivalsReport;
  marks: ChainMarks;
  modelVersion: string;
  deadlineMs: number;
  /** True once the demo is stopping (a signal): the wait ends. */
  cancelled: () => boolean;
}): Promise<void> {
  const { brokers, naming, arrivals, marks } = input;
  const { topics, groups } = naming;
  const snapshotOf = { dataDir: naming.indexDataDir, modelVersion: input.modelVersion };
  const deadline = Date.now() + input.deadlineMs;
  const started = Date.now();
  let lastSaid = 0;
  let state: string;
  let step = 0;
  let ends = arrivals.partitions.map((p) => ({ partition: p.partition, low: p.low, high: p.high }));
  const steps = [
    { groups: [groups.extractor], topic: topics.imageArrived },
    { groups: [groups.dedupe], topic: topics.vectorExtracted },
    { groups: [groups.indexWriter, groups.analytics], topic: topics.vectorCleaned },
  ];
  for (;;) {
    if (input.cancelled()) throw new StackError('stopped while waiting for the chain');
    const current = steps[step];
    try {
      const extracted = await grownSince(brokers, topics.vectorExtracted, marks);
      const cleaned = await grownSince(brokers, topics.vectorCleaned, marks);
      const counts = `${extracted.count} vector-extracted (${(extracted.count / Math.max(1, (Date.now() - started) / 1000)).toFixed(1)}/s), ${cleaned.count} vector-cleaned`;
      if (current === undefined) {
        // `ends` are the vector-cleaned ends the index-writer caught up with.
        const behind = snapshotBehind(snapshotOf, topics.vectorCleaned, ends);
        // A snapshot written in the background is announced (index-updated) a moment after its
        // manifest is on disk: wait until index-updated has grown too, so the summary is not read
        // before the first announcement of this run.
        const announced = behind === 0 ? (await grownSince(brokers, topics.indexUpdated, marks)).count : 0;
        if (behind === 0 && announced > 0) {
          say(`chain caught up, index snapshot written: ${counts}`);
          return;
        }
        state = behind === 0 ? `${counts}; index snapshot written, index-updated not published yet` : `${counts}; index snapshot ${behind} records behind the index-writer`;
      } else {
        const backlogs = await Promise.all(current.groups.map((g) => groupBacklog(brokers, g, current.topic, ends)));
        state = `${counts}; ${current.groups.map((g, i) => `${g} ${backlogs[i] ?? '?'} behind on ${current.topic}`).join(', ')}`;
        if (backlogs.every((b) => b === 0)) {
          // The next stage's input is complete now: wait for it up to these ends.
          if (step === 0) ends = extracted.now;
          else if (step === 1) ends = cleaned.now;
          step += 1;
          continue;
        }
      }
    } catch (err) {
      if (err instanceof InternalError) throw err;
      state = reasonOf(err);
    }
    if (Date.now() >= deadline) throw new StackError(`the chain did not catch up within ${seconds(input.deadlineMs)} (last: ${state}); see .data/demo/<app>.log`);
    if (Date.now() - lastSaid >= 3000) {
      say(`  waiting: ${state}`);
      lastSaid = Date.now();
    }
    await new Promise<void>((resolveSleep) => setTimeout(resolveSleep, 1000));
  }
}

/** Records of `topic` up to `ends` that the index snapshots (one per partition) do not reflect yet (all of them while there is none). */
function snapshotBehind(snapshotOf: { dataDir: string; modelVersion: string }, topic: string, ends: readonly { partition: number; low: number; high: number }[]): number {
  return ends.reduce((sum, end) => sum + Math.max(0, end.high - Math.max(end.low, (snapshotOffsetOnDisk({ ...snapshotOf, topic }, end.partition) ?? -1) + 1)), 0);
}

/** The folder the query image of the search step comes from: the ingested one (--images, clothing-small) or the generated set. */
function queryImageDir(options: DemoOptions, settings: StackSettings): string | undefined {
  if (options.images !== undefined) return fromCaller(options.images);
  const generated = options.out === undefined ? join(settings.repoDir, '.data', 'generated-images') : fromCaller(options.out);
  if (options.generate !== undefined) return generated;
  const shared = resolve(settings.repoDir, '..', 'shared', 'data', 'clothing-small');
  return existsSync(shared) ? shared : generated;
}

/**
 * Puts the demo's model version in the model registry (READY, its
 * index-writer as owner, its groups and shard folder), and makes it the
 * active version when none is: `npm run model -- migrate` then starts from
 * it, and the search API follows the registry. A version already registered
 * (a migration ran) is left as it is.
 */
async function registerDemoVersion(brokers: string[], naming: DemoNaming, model: { id: string; version: string; dim: number }, indexPort: number): Promise<void> {
  const registry = new KafkaModelRegistry(new Kafka({ clientId: 'stylestream-demo', brokers, logLevel: logLevel.NOTHING }), naming.registryTopic);
  await registry.ensureTopic();
  const state = await registry.read();
  if (state.version(model.version) === undefined || state.version(model.version)?.state === 'RETIRED') {
    await registry.publish({
      kind: 'version',
      value: {
        version: model.version,
        modelId: model.id,
        dim: model.dim,
        state: 'READY',
        owners: [`http://127.0.0.1:${indexPort}`],
        groups: [naming.groups.extractor, naming.groups.dedupe, naming.groups.indexWriter],
        dedupeStateTopic: naming.dedupeStateTopic,
        indexDir: naming.indexDataDir,
        updatedAt: Date.now(),
      },
    });
  }
  if (state.active === undefined) await registry.publish({ kind: 'active', value: { version: model.version, previous: null, updatedAt: Date.now() } });
  const active = state.active?.version ?? model.version;
  say(`model registry ${naming.registryTopic}: active version ${active}${active === model.version ? '' : ` (a migration switched it; the demo's chain indexes ${model.version})`}`);
}

async function demo(options: DemoOptions): Promise<number> {
  if (options.images !== undefined && options.generate !== undefined) throw new ConfigError(['give --images <dir> or --generate <count>, not both']);
  const settings = loadStackSettings();
  const dist = (...parts: string[]): string => join(settings.repoDir, 'dist', ...parts);
  const logDir = join(settings.repoDir, '.data', 'demo');
  const clock = new PhaseClock(options.serve ? 10 : 9);
  const apps: DemoAppProcess[] = [];
  let naming: DemoNaming | undefined;
  let elasticsearchUrl: string | undefined;
  let serving = false;
  let stopsStack = false;
  let stopping = false;

  /** Stops every app (in parallel) and, when isolated (--topic), removes the per-run ES indices and ClickHouse folder. */
  const stopApps = async (): Promise<void> => {
    await Promise.all(apps.map((app) => app.stop()));
    if (naming?.isolated === true) {
      rmSync(naming.clickHouseDir, { recursive: true, force: true });
      rmSync(naming.indexDataDir, { recursive: true, force: true });
      if (elasticsearchUrl !== undefined) {
        const es = new ElasticsearchClient({ node: elasticsearchUrl });
        await es.indices
          .delete({ index: [`${naming.catalogAlias}-v*`, naming.catalogShardsIndex], ignore_unavailable: true, allow_no_indices: true })
          .catch((err: unknown) => say(`(could not delete the demo's catalogue indices: ${reasonOf(err)})`));
        await es.close();
      }
    }
  };
  const shutdown = async (why: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    say(`\n${why}: stopping`);
    for (const child of children) child.kill('SIGTERM');
    await stopApps();
    if (stopsStack) await runNode('stack down', dist('deploy', 'local', 'stack-cli.js'), ['down'], {}).catch((err: unknown) => say(reasonOf(err)));
  };
  // Ctrl-C while serving is the normal end (exit 0); during an earlier phase it is an interruption (130).
  let stoppedBySignal: (code: number) => void = () => undefined;
  const stopped = new Promise<number>((resolveStopped) => {
    stoppedBySignal = resolveStopped;
  });
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping) process.exit(130); // a second Ctrl-C: leave now
    const code = serving ? 0 : 130;
    void shutdown(signal).finally(() => stoppedBySignal(code));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  try {
    return await phases();
  } catch (err) {
    if (stopping) return stopped;
    await stopApps();
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
    const layout = new StackLayout(settings.stackDir);
    const stackEnv = clientEnvironment(settings, readTopology(layout).brokers);
    const clientEnv = { KAFKA_BROKERS: stackEnv.KAFKA_BROKERS ?? '', SCHEMA_REGISTRY_URL: stackEnv.SCHEMA_REGISTRY_URL ?? '' };
    const brokers = clientEnv.KAFKA_BROKERS.split(',');
    elasticsearchUrl = stackEnv.ELASTICSEARCH_URL ?? 'http://127.0.0.1:9200';
    const topic = options.topic ?? TOPICS.imageArrived;

    await clock.run('register schemas', () => runNode('schemas register', dist('libs', 'schemas', 'src', 'cli', 'schemas-cli.js'), ['register'], clientEnv));

    const before = await clock.run(`ingest into ${topic}`, async () => {
      const input = ingestArgs(options, settings);
      say(`input: ${input.what}`);
      const offsets = await readTopicOffsets({ brokers, topic });
      const code = await runNode('ingest', dist('apps', 'ingest', 'src', 'cli', 'ingest-cli.js'), input.args, clientEnv, [0, 2]);
      if (code === 2) say('(some items were rejected: see the reasons above; the rest was sent)');
      return offsets;
    });

    const arrivals = await clock.run(`read ${topic} back`, async () => {
      const report = await readArrivals({ brokers, registryUrl: clientEnv.SCHEMA_REGISTRY_URL, topic }, before);
      process.stdout.write(formatArrivals(report));
      return report;
    });

    const names = demoNaming(settings.repoDir, options.topic);
    naming = names;
    const marks = await clock.run('provision the topics the apps consume', async () => {
      const results = await provisionDemoTopics(clientEnv, names, createLogger('demo', 'warn'));
      const created = results.filter((r) => r.action === 'created').map((r) => r.topic);
      say(`${Object.values(names.topics).join(', ')} (and their .dlq): ${created.length === 0 ? 'all there' : `created ${created.join(', ')}`}; dedupe creates its ${names.dedupeStateTopic}`);
      if (!names.isolated) {
        const starts = arrivals.partitions.map((p) => ({ partition: p.partition, offset: p.before }));
        if (await startGroupAtIfNew(brokers, names.groups.extractor, names.topics.imageArrived, starts)) say(`${names.groups.extractor} is new: it starts at this run's images (offsets before the ingest)`);
      }
      return markChain(brokers, chainTopicsToMark(names));
    });

    const modelsDir = join(settings.repoDir, 'models');
    await runNode('model build', dist('libs', 'model', 'src', 'cli', 'model-build.cli.js'), ['--models-dir', modelsDir], {});
    const model = readModel(modelsDir, process.env.MODEL_ID ?? 'mobilenet-v2-nsfwjs');
    const launches = chainAppLaunches({
      model,
      dist,
      logDir,
      targetsDir: join(layout.conf('prometheus'), 'targets'),
      clientEnv: { ...clientEnv, ELASTICSEARCH_URL: elasticsearchUrl },
      naming: names,
      ports: { ingest: options.port, catalog: options.catalogPort, analytics: options.analyticsPort, lagMonitor: options.lagPort, search: options.searchPort, index: options.indexPort },
      apiKey: options.apiKey,
    });
    await registerDemoVersion(brokers, names, model, options.indexPort);
    const appUrl = (name: string): string => `http://127.0.0.1:${launches.find((l) => l.name === name)?.port ?? 0}`;
    await clock.run('start extractor, dedupe, index-writer, catalog, analytics, lag monitor, search API', async () => {
      say(`logs: ${logDir}/<app>.log; model ${model.id} ${model.version} (${model.dim}-d); index ${names.indexDataDir}; catalogue alias ${names.catalogAlias}, ClickHouse ${names.clickHouseDir}`);
      // In parallel: each waits for its own /health; a failure stops the others (catch in demo()).
      const started = launches.map((launch) => {
        const app = new DemoAppProcess(launch);
        apps.push(app);
        const t0 = Date.now();
        return app.start().then(() => say(`${launch.name} ${app.url === '' ? 'consuming' : `healthy at ${app.url}`} in ${seconds(Date.now() - t0)}`));
      });
      const results = await Promise.allSettled(started);
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed !== undefined) throw failed.reason;
    });

    await clock.run('wait for extraction, dedupe and indexing', async () => {
      await waitForChain({ brokers, naming: names, arrivals, marks, modelVersion: model.version, deadlineMs: options.catchUpTimeout * 1000, cancelled: () => stopping });
      const chain = await readChainSummary({ brokers, registryUrl: clientEnv.SCHEMA_REGISTRY_URL, naming: names, marks });
      say('');
      process.stdout.write(formatChainSummary(chain));
    });

    const quarter = quarterOf(Date.now());
    const minLive = Math.max(0, arrivals.thisRun - arrivals.tombstones);
    const sinks = await clock.run('wait for the catalogue and analytics', () =>
      waitForSinks({ brokers, naming: names, arrivals, catalogUrl: appUrl('catalog'), analyticsUrl: appUrl('analytics'), quarter, minLive, deadlineMs: options.catchUpTimeout * 1000 }),
    );
    const top = sinks.catalog.facets.category?.[0]?.value;
    if (top !== undefined) {
      const page = await getJson<{ total: number; images: NonNullable<CatalogSummary['page']>['images'] }>(`${appUrl('catalog')}/v1/images?category=${encodeURIComponent(top)}&size=5&facets=category`);
      sinks.catalog.page = { category: top, total: page.total, images: page.images };
    }
    say('');
    process.stdout.write(formatCatalogSummary(sinks.catalog));
    say('');
    process.stdout.write(formatTrendSummary(sinks.trends));

    const queryDir = queryImageDir(options, settings);
    const query = queryDir === undefined ? undefined : pickQueryImage(queryDir);
    await clock.run('search by image', async () => {
      if (query === undefined) {
        say(`(no image file to query with in ${queryDir ?? 'the input'})`);
        return;
      }
      const answer = await searchByImage(appUrl('search-api'), options.apiKey, query, 5);
      say('');
      process.stdout.write(formatImageSearch(query, appUrl('search-api'), answer));
    });

    const ingestUrl = `http://127.0.0.1:${options.port}`;
    if (options.serve) {
      await clock.run('start the ingest HTTP API', async () => {
        const api = new DemoAppProcess({
          name: 'ingest-api',
          entry: dist('apps', 'ingest', 'src', 'main.js'),
          port: options.port,
          env: { ...clientEnv, INGEST_API_KEYS: options.apiKey, ...(options.topic === undefined ? {} : { INGEST_TOPIC: options.topic }) },
          logFile: join(logDir, 'ingest-api.log'),
          scrapeTargetFile: join(layout.conf('prometheus'), 'targets', `${names.targetPrefix}ingest-api.json`),
        });
        apps.push(api);
        await api.start();
      });
    }
    say(`\n${formatPhaseTimes(clock.times)}`);
    const info = { ingestUrl, apiKey: options.apiKey, stack: stackEnv, apps: { catalog: appUrl('catalog'), analytics: appUrl('analytics'), lagMonitor: appUrl('lag-monitor'), search: appUrl('search-api') }, logDir, stopsStack };
    if (!options.serve) {
      say(formatServeInfo({ ...info, serving: false }));
      await stopApps();
      say(stopsStack ? 'the stack keeps running (--no-serve); stop it with: npm run stack -- down' : 'done');
      return 0;
    }
    serving = true;
    say(formatServeInfo({ ...info, serving: true }));
    // `npm run model -- cleanup --version <this demo's>` retires the version: its chain stops here, the rest keeps serving.
    const retiredChain = new Set<string>();
    const registry = new KafkaModelRegistry(new Kafka({ clientId: 'stylestream-demo', brokers, logLevel: logLevel.NOTHING }), names.registryTopic);
    const { stop: unfollow } = await registry.follow((state) => {
      if (state.version(model.version)?.state !== 'RETIRED' || retiredChain.size > 0) return;
      for (const name of ['extractor', 'dedupe', 'index-writer']) retiredChain.add(name);
      say(`\nmodel version ${model.version} was retired (npm run model -- cleanup): stopping its extractor, dedupe and index-writer; the other apps keep serving`);
      void Promise.all(apps.filter((a) => retiredChain.has(a.name)).map((a) => a.stop()));
    });
    const how = await Promise.race(apps.map((app) => app.ended.then((end) => (retiredChain.has(app.name) ? new Promise<string>(() => undefined) : `${app.name}: ${end}`))));
    await unfollow().catch(() => undefined);
    if (stopping) return stopped;
    await shutdown(`an app ended by itself (${how})`);
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
  .description('The main job, end to end so far: start the local stack, register the schemas, ingest a folder of images into image-arrived, show what arrived, start the extractor, dedupe, index-writer, catalogue, analytics and lag monitor, wait until the images are indexed and show the dedup counts, show a label search and the quarter trends, then serve them and the ingest API until Ctrl-C.')
  .option('--images <dir>', 'folder of images, <class>/ subfolders as category labels (default: ../shared/data/clothing-small beside the repo, else --generate 300)')
  .option('--generate <count>', 'ingest a generated labelled set of <count> PNGs instead', parseWhole(1, 1_000_000))
  .option('--seed <n>', 'seed of the generated set', parseWhole(0, 2 ** 31), 1)
  .option('--out <dir>', 'where the generated set is written (default <repo>/.data/generated-images)')
  .option('--topic <name>', 'publish to and read back this topic instead of image-arrived (tests use a unique one)')
  .option('--port <n>', 'port of the ingest HTTP API', parseWhole(1, 65535), 8090)
  .option('--catalog-port <n>', 'port of the catalogue search API', parseWhole(1, 65535), 8096)
  .option('--analytics-port <n>', 'port of the analytics API', parseWhole(1, 65535), 8093)
  .option('--lag-port <n>', 'port of the lag monitor', parseWhole(1, 65535), 8095)
  .option('--search-port <n>', 'port of the search API', parseWhole(1, 65535), 8092)
  .option('--index-port <n>', 'port of the index-writer\'s k-NN endpoint (the search API\'s shard owner)', parseWhole(1, 65535), 8097)
  .option('--catch-up-timeout <s>', 'how long to wait for the chain, and then for the catalogue and analytics, to reflect the images (extraction runs at about 50 images/s)', parseWhole(1, 3600), 600)
  .option('--api-key <key>', 'API key the ingest and search APIs accept (x-api-key)', 'demo-key-123')
  .option('--no-serve', 'stop the apps after the summary (tests, CI); the stack is left running')
  .showHelpAfterError();

program
  .parseAsync(process.argv)
  .then(() => demo(program.opts<DemoOptions>()))
  .then((code) => process.exit(code))
  .catch((err: unknown) => {
    process.stderr.write(`demo: ${err instanceof StyleStreamError ? err.message : reasonOf(err)}\n`);
    process.exit(1);
  });
