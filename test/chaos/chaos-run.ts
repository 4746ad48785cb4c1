import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client as ElasticsearchClient } from '@elastic/elasticsearch';
import { reasonOf } from '@stylestream/errors';
import { createLogger } from '@stylestream/logging';
import { demoNaming, provisionDemoTopics, type DemoNaming } from '../../deploy/local/demo-apps';
import { buildCorpus, prng, type ChaosCorpus } from './chaos-corpus';
import { CHAIN_APPS, ChaosChain, LagProbe, publish, readDeadLetters, type ChainApp } from './chaos-chain';
import { chaosModel, type ChaosModel } from './chaos-model';
import { PrivateStack, sleep } from './private-stack';
import { SHARD_DEADLINE_MS, SearchProbe, type SearchTally } from './search-probe';

export const SCENARIOS = ['1', '2', '3', '4', '5'] as const;
export type ScenarioId = (typeof SCENARIOS)[number];

export const SCENARIO_TITLES: Record<ScenarioId, string> = {
  '1': 'kill -9 each app',
  '2': 'Kafka broker restart',
  '3': '3 brokers, one killed',
  '4': 'ES + analytics down',
  '5': 'slow shard owner',
};

export interface ChaosOptions {
  events: number;
  scenarios: ScenarioId[];
  quick: boolean;
  seed: number;
  /** Leave the private stack running at the end (debugging). */
  keepStack: boolean;
  /** Per-scenario deadline for the stores to converge after the last fault, ms. */
  convergeMs: number;
  /** Embedding model id: `tiny-test` (written for the run, see chaos-model.ts) or a folder of `models/`. */
  model: string;
}

/** One row of the result table. */
export interface ScenarioResult {
  scenario: string;
  ran: boolean;
  note: string;
  events: number;
  /** Expected index ids missing from the index. */
  lost: number;
  /** Ids in the index that must not be there (copies, bad files, taken down). */
  duplicated: number;
  /** Catalogue (Elasticsearch) and analytics (ClickHouse) live images against the source. */
  catalog: { expected: number; actual: number };
  analytics: { expected: number; actual: number };
  /** Dead-letter records, their distinct ids, and whether those ids are exactly the bad inputs. */
  dlq: { records: number; distinct: number; expected: number; exact: boolean };
  maxLag: number;
  recoveryMs: number;
  faults: string[];
  /** What the search API answered, queried every 250 ms from the first indexed vector until the stores converged. */
  search?: SearchTally;
  ok: boolean;
}

const say = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

async function getJson<T>(url: string): Promise<T> {
  const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  if (!response.ok) throw new Error(`GET ${url}: ${response.status} ${(await response.text()).slice(0, 200)}`);
  return (await response.json()) as T;
}

function quarterOf(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}Q${Math.floor(d.getUTCMonth() / 3) + 1}`;
}

interface StoreState {
  indexIds: Set<string> | undefined;
  catalog: number | undefined;
  analytics: number | undefined;
}

async function readStores(chain: ChaosChain): Promise<StoreState> {
  const safe = async <T>(read: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await read();
    } catch {
      return undefined;
    }
  };
  const [index, catalog, analytics] = await Promise.all([
    safe(() => getJson<{ ids: string[] }>(`${chain.indexUrl}/v1/ids`)),
    safe(() => getJson<{ total: number }>(`${chain.catalogUrl}/v1/images?size=0`)),
    safe(() => getJson<{ images: number }>(`${chain.analyticsUrl}/v1/stats/trends?quarter=${quarterOf(Date.now())}&dimension=category`)),
  ]);
  return { indexIds: index === undefined ? undefined : new Set(index.ids), catalog: catalog?.total, analytics: analytics?.images };
}

function matches(state: StoreState, corpus: ChaosCorpus): boolean {
  if (state.indexIds === undefined || state.indexIds.size !== corpus.expectedIndexIds.size) return false;
  for (const id of corpus.expectedIndexIds) if (!state.indexIds.has(id)) return false;
  return state.catalog === corpus.expectedLiveIds.size && state.analytics === corpus.expectedLiveIds.size;
}

/**
 * A fault plan: runs while the source is published and processed; returns what it did.
 * `searching` resolves once the search probe queries (after the first indexed vector).
 */
type FaultPlan = (ctx: {
  chain: ChaosChain;
  stack: PrivateStack;
  random: () => number;
  quick: boolean;
  note: (fault: string) => void;
  probe: SearchProbe;
  searching: Promise<void>;
}) => Promise<void>;

const between = (random: () => number, lowMs: number, highMs: number): number => lowMs + Math.floor(random() * (highMs - lowMs));

const FAULTS: Record<ScenarioId, FaultPlan> = {
  '1': async ({ chain, random, quick, note }) => {
    const kills = quick ? 1 : 5;
    const queue: ChainApp[] = [];
    for (let k = 0; k < kills; k++) queue.push(...CHAIN_APPS);
    for (let i = queue.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [queue[i], queue[j]] = [queue[j], queue[i]];
    }
    for (const app of queue) {
      await sleep(between(random, 1000, quick ? 4000 : 8000));
      await chain.kill9(app);
      await chain.start(app);
      note(`kill -9 ${app}`);
    }
  },
  '2': async ({ stack, random, note }) => {
    await sleep(between(random, 3000, 8000));
    await stack.stop('kafka-1');
    await sleep(5000);
    await stack.up();
    note('kafka-1 stopped and restarted');
  },
  '3': async ({ stack, random, note }) => {
    await sleep(between(random, 3000, 8000));
    stack.kill('kafka-2');
    await sleep(20_000);
    await stack.up();
    note('kill -9 kafka-2, restarted after 20 s');
  },
  '4': async ({ chain, stack, random, quick, note }) => {
    const downMs = quick ? 20_000 : 60_000;
    await sleep(between(random, 3000, 8000));
    await Promise.all([stack.stop('elasticsearch'), chain.kill9('analytics')]);
    await sleep(downMs);
    await Promise.all([stack.up(), chain.start('analytics')]);
    note(`elasticsearch stopped and analytics (embedded ClickHouse) killed for ${downMs / 1000} s`);
  },
  '5': async ({ probe, searching, random, quick, note }) => {
    await searching;
    await sleep(between(random, 3000, 8000));
    probe.proxy.delayMs = 3 * SHARD_DEADLINE_MS;
    await sleep(quick ? 20_000 : 60_000);
    probe.proxy.delayMs = 0;
    await sleep(5000);
    note(`one of two shard owners ${3 * SHARD_DEADLINE_MS} ms slow (deadline ${SHARD_DEADLINE_MS} ms) for ${quick ? 20 : 60} s; search queried every 250 ms throughout`);
  },
};

/** What a signal must stop: the running scenario's apps and the private stack. */
const running: { chain?: ChaosChain; stack?: PrivateStack; keepStack: boolean } = { keepStack: false };

/** Stops the running apps and (unless kept) the private stack; for SIGINT/SIGTERM handlers. */
export async function abortChaos(): Promise<void> {
  await running.chain?.stopAll();
  if (running.stack !== undefined && !running.keepStack) await running.stack.down();
}

/** Runs one scenario on fresh names, corpus and apps; the private stack must be up. */
async function runScenario(id: ScenarioId, stack: PrivateStack, options: ChaosOptions, model: ChaosModel, workDir: string, logRoot: string): Promise<ScenarioResult> {
  const title = `${id}. ${SCENARIO_TITLES[id]}`;
  const empty: ScenarioResult = {
    scenario: title,
    ran: false,
    note: '',
    events: options.events,
    lost: 0,
    duplicated: 0,
    catalog: { expected: 0, actual: 0 },
    analytics: { expected: 0, actual: 0 },
    dlq: { records: 0, distinct: 0, expected: 0, exact: false },
    maxLag: 0,
    recoveryMs: 0,
    faults: [],
    ok: false,
  };
  const plan = FAULTS[id];

  const tag = `chaos${id}-${Date.now().toString(36)}`;
  const naming: DemoNaming = demoNaming(stack.repoDir, tag);
  const clientEnv = stack.clientEnv;
  const brokers = (clientEnv.KAFKA_BROKERS ?? '').split(',');
  const replication = stack.brokers >= 3 ? '3' : '1';
  const kafkaEnv = { KAFKA_REPLICATION_FACTOR: replication, KAFKA_TOPIC_PARTITIONS: '4' };
  const logger = createLogger('chaos', 'warn');
  say(`\n=== scenario ${title}: ${options.events} events, topic ${tag}`);
  const corpus = await buildCorpus(join(workDir, tag), options.events, options.seed + Number(id), tag);
  say(`  corpus: ${JSON.stringify(corpus.counts)}; expected index ${corpus.expectedIndexIds.size}, live ${corpus.expectedLiveIds.size}, bad ${corpus.badIds.size}`);
  await provisionDemoTopics({ ...clientEnv, ...kafkaEnv }, naming, logger);
  const chain = await ChaosChain.create({
    repoDir: stack.repoDir,
    logDir: join(logRoot, tag),
    targetsDir: join(workDir, 'targets'),
    clientEnv,
    naming,
    model,
    extraEnv: kafkaEnv,
    say,
  });
  running.chain = chain;
  const lag = new LagProbe(brokers, [
    { group: naming.groups.extractor, topic: naming.topics.imageArrived },
    { group: naming.groups.dedupe, topic: naming.topics.vectorExtracted },
    { group: naming.groups.indexWriter, topic: naming.topics.vectorCleaned },
    { group: naming.groups.catalog, topic: naming.topics.imageArrived },
    { group: naming.groups.analytics, topic: naming.topics.imageArrived },
  ]);
  const faults: string[] = [];
  let maxLag = 0;
  // The search API over the index-writer (directly, and behind a proxy that scenario 5 slows down),
  // queried in every scenario from the first indexed vector until the stores converged.
  const probe = new SearchProbe({
    repoDir: stack.repoDir,
    logDir: join(logRoot, tag),
    indexUrl: chain.indexUrl,
    elasticsearchUrl: clientEnv.ELASTICSEARCH_URL ?? '',
    catalogAlias: naming.catalogAlias,
    dim: chain.dim,
  });
  let searchError: string | undefined;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      try {
        for (const behind of (await lag.backlogs()).values()) maxLag = Math.max(maxLag, behind);
      } catch {
        // the broker is down (a fault): no sample
      }
      await sleep(2000);
    }
  })();
  try {
    await chain.startAll();
    say('  apps started');
    const searching = (async () => {
      await probe.start();
      // Queries need an index to search: wait for the first indexed vector.
      await waitUntil(async () => (await getJson<{ count: number }>(`${chain.indexUrl}/v1/ids`)).count > 0, options.convergeMs, 'a first indexed vector');
      probe.startQuerying();
    })();
    searching.catch((err: unknown) => {
      searchError = reasonOf(err);
    });
    const first = corpus.events.filter((e) => e.kind === 'unique');
    const second = corpus.events.filter((e) => e.kind !== 'unique');
    const faulting = plan({ chain, stack, random: prng(options.seed * 31 + Number(id)), quick: options.quick, note: (f) => faults.push(f), probe, searching });
    let faultError: unknown;
    const faultDone = faulting.catch((err: unknown) => {
      faultError = err;
    });
    await publish(brokers, clientEnv.SCHEMA_REGISTRY_URL ?? '', naming.topics.imageArrived, first);
    say(`  published ${first.length} unique images; waiting for dedupe to take them in before the copies`);
    // Copies must meet their canonical in dedupe's state: wait until dedupe committed every original.
    // Two readings in a row: ends and commits are read one after the other, so one reading can race a commit.
    let caughtUpReadings = 0;
    await waitUntil(async () => {
      const b = await lag.backlogs();
      caughtUpReadings = (b.get(naming.groups.extractor) ?? 1) === 0 && (b.get(naming.groups.dedupe) ?? 1) === 0 ? caughtUpReadings + 1 : 0;
      return caughtUpReadings >= 2;
    }, options.convergeMs, 'the extractor and dedupe to take in the unique images');
    await publish(brokers, clientEnv.SCHEMA_REGISTRY_URL ?? '', naming.topics.imageArrived, second);
    say(`  published ${second.length} copies, bad files and tombstones`);
    await faultDone;
    if (faultError !== undefined) throw faultError instanceof Error ? faultError : new Error(reasonOf(faultError));
    const faultsEnded = Date.now();
    say(`  faults done (${faults.join('; ')}); waiting for the stores to converge`);
    let state: StoreState = { indexIds: undefined, catalog: undefined, analytics: undefined };
    const deadline = Date.now() + options.convergeMs;
    let lastSaid = 0;
    for (;;) {
      state = await readStores(chain);
      if (matches(state, corpus)) break;
      if (Date.now() > deadline) break;
      if (Date.now() - lastSaid > 10_000) {
        say(`  waiting: index ${state.indexIds?.size ?? '?'}/${corpus.expectedIndexIds.size}, catalog ${state.catalog ?? '?'}/${corpus.expectedLiveIds.size}, analytics ${state.analytics ?? '?'}/${corpus.expectedLiveIds.size}`);
        lastSaid = Date.now();
      }
      await sleep(1000);
    }
    const recoveryMs = Date.now() - faultsEnded;
    await searching.catch(() => undefined);
    await probe.stop();
    // The stores can converge before the extractor reaches the bad inputs (they change no store): wait for their dead letters.
    const dead = await readDeadLetters(brokers, naming, corpus.badIds.size);
    const indexIds = state.indexIds ?? new Set<string>();
    const lost = [...corpus.expectedIndexIds].filter((i) => !indexIds.has(i));
    const extra = [...indexIds].filter((i) => !corpus.expectedIndexIds.has(i));
    const dlqExact = dead.keys.size === corpus.badIds.size && [...corpus.badIds].every((k) => dead.keys.has(k));
    if (lost.length > 0) say(`  LOST from the index (first 10): ${lost.slice(0, 10).join(', ')}`);
    if (extra.length > 0) say(`  EXTRA in the index (first 10): ${extra.slice(0, 10).join(', ')}`);
    if (!dlqExact) say(`  dead-letter ids differ from the bad inputs: ${[...dead.keys].filter((k) => !corpus.badIds.has(k)).slice(0, 10).join(', ')} unexpected; ${[...corpus.badIds].filter((k) => !dead.keys.has(k)).slice(0, 10).join(', ')} missing`);
    const catalog = { expected: corpus.expectedLiveIds.size, actual: state.catalog ?? -1 };
    const analytics = { expected: corpus.expectedLiveIds.size, actual: state.analytics ?? -1 };
    // Answered throughout: no failure (hang, transport error, unexpected status), some full answers, and
    // partial answers where one owner was slow (scenario 5).
    const searchOk = searchError === undefined && probe.tally.failed === 0 && probe.tally.answered > 0 && (id !== '5' || probe.tally.partial > 0);
    say(`  search: ${JSON.stringify(probe.tally)}${searchError === undefined ? '' : `; probe: ${searchError}`}`);
    const ok = searchOk && lost.length === 0 && extra.length === 0 && dlqExact && catalog.actual === catalog.expected && analytics.actual === analytics.expected;
    return {
      ...empty,
      ran: true,
      note: state.indexIds === undefined ? 'index endpoint did not answer' : '',
      lost: lost.length,
      duplicated: extra.length,
      catalog,
      analytics,
      dlq: { records: dead.records, distinct: dead.keys.size, expected: corpus.badIds.size, exact: dlqExact },
      maxLag,
      recoveryMs,
      faults,
      search: probe.tally,
      ok,
    };
  } catch (err) {
    say(`  scenario ${id} failed: ${reasonOf(err)}`);
    return { ...empty, ran: true, note: `failed: ${reasonOf(err)}`, faults, maxLag };
  } finally {
    sampling = false;
    await sampler;
    await probe.stop().catch(() => undefined);
    await lag.close().catch(() => undefined);
    await chain.stopAll();
    await cleanupScenario(naming, clientEnv.ELASTICSEARCH_URL ?? '');
  }
}

async function waitUntil(probe: () => Promise<boolean>, deadlineMs: number, what: string): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    try {
      if (await probe()) return;
    } catch {
      // a fault in progress
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${Math.round(deadlineMs / 1000)} s waiting for ${what}`);
    await sleep(1000);
  }
}

async function cleanupScenario(naming: DemoNaming, elasticsearchUrl: string): Promise<void> {
  rmSync(naming.clickHouseDir, { recursive: true, force: true });
  rmSync(naming.indexDataDir, { recursive: true, force: true });
  const es = new ElasticsearchClient({ node: elasticsearchUrl });
  await es.indices.delete({ index: [`${naming.catalogAlias}-v*`, naming.catalogShardsIndex], ignore_unavailable: true, allow_no_indices: true }).catch(() => undefined);
  await es.close();
}

/** The result table: scenario, events, lost, duplicated, DLQ, max lag, recovery time (+ store checks). */
export function formatTable(results: readonly ScenarioResult[]): string {
  const header = ['scenario', 'events', 'lost', 'duplicated', 'DLQ (records/ids/bad)', 'max lag', 'recovery', 'catalog ES', 'analytics CH', 'search (200/partial/503/failed)', 'verdict'];
  const search = (t: SearchTally | undefined): string => (t === undefined ? '-' : `${t.answered}/${t.partial}/${t.allLate + t.ownersDown}/${t.failed}`);
  const rows = results.map((r) =>
    r.ran && r.note === ''
      ? [
          r.scenario,
          String(r.events),
          String(r.lost),
          String(r.duplicated),
          `${r.dlq.records}/${r.dlq.distinct}/${r.dlq.expected}`,
          String(r.maxLag),
          `${(r.recoveryMs / 1000).toFixed(1)} s`,
          `${r.catalog.actual}/${r.catalog.expected}`,
          `${r.analytics.actual}/${r.analytics.expected}`,
          search(r.search),
          r.ok ? 'OK' : 'FAIL',
        ]
      : [r.scenario, String(r.events), '-', '-', '-', r.ran ? String(r.maxLag) : '-', '-', '-', '-', '-', r.ran ? `FAIL (${r.note})` : r.note],
  );
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join(' | ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('-|-'), ...rows.map(line)].join('\n');
}

/**
 * Runs the scenarios in order on a private stack (1-broker scenarios first,
 * then the 3-broker one on a fresh topology), prints the table, stops the
 * stack. Returns every result.
 */
export async function runChaos(repoDir: string, options: ChaosOptions): Promise<ScenarioResult[]> {
  const workDir = mkdtempSync(join(tmpdir(), 'stylestream-chaos-'));
  // App logs outlive the run (git-ignored .data/): a failed scenario is read there.
  const logRoot = join(repoDir, '.data', 'chaos');
  say(`app logs: ${logRoot}/<scenario topic>/<app>.log`);
  const results: ScenarioResult[] = [];
  const ordered = [...options.scenarios].sort((a, b) => Number(a === '3') - Number(b === '3'));
  let stack: PrivateStack | undefined;
  try {
    const model = chaosModel(repoDir, options.model, workDir);
    say(`model: ${model.id} ${model.version} (${model.dim}-d) from ${model.dir}`);
    for (const id of ordered) {
      const brokers = id === '3' ? 3 : 1;
      if (stack?.brokers !== brokers) {
        if (stack !== undefined) await stack.down();
        stack = new PrivateStack(repoDir, brokers, say);
        running.stack = stack;
        running.keepStack = options.keepStack;
        say(`\n--- private stack (${brokers} broker(s)) in ${stack.settings.stackDir}: ${JSON.stringify(stack.clientEnv)}`);
        await stack.up();
      }
      const result = await runScenario(id, stack, options, model, workDir, logRoot);
      results.push(result);
      // Each row as soon as it is known: a run stopped later still leaves the finished scenarios' figures.
      say(`\n${formatTable([result])}\n${JSON.stringify({ scenario: result.scenario, ok: result.ok, search: result.search, faults: result.faults })}`);
    }
  } finally {
    if (stack !== undefined && !options.keepStack) await stack.down().catch((err: unknown) => say(`private stack down failed: ${reasonOf(err)}`));
    rmSync(workDir, { recursive: true, force: true });
  }
  say(`\n${formatTable(results)}`);
  return results;
}
