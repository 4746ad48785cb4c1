import { fork } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Pool } from 'undici';
import { DEFAULT_HNSW_PARAMS, type ShardSet, ShardSnapshotStore, partitionScope } from '@stylestream/index';
import { Client as ElasticsearchClient } from '@elastic/elasticsearch';
import { createTopics, stack, uniqueName, waitFor } from '@stylestream/test-support';
import { describeGenerator, exactTopK, generateQueries, generateVectors, recallAtK } from './support/clustered-vectors';
import { dropBenchCatalog, loadBenchCatalog } from './support/search-catalog.loader';
import { AppProcess, startSlowOwner } from './support/search-cluster';
import { SEARCH_BENCH_KEY, SEARCH_DIM, SEARCH_GENERATOR, SEARCH_OWNERS, searchApiEnv, searchOwnerProcesses, searchShardCache, startColocatedApi } from './support/search-shard.cache';
import { type FilterStrategyRow, type StrategyApi, filterCases, measureFilterStrategies, strategyTable } from './support/search-filter.strategies';
import { percentile } from './support/percentile';

const DIM = SEARCH_DIM;
const GENERATOR = SEARCH_GENERATOR;
const OWNERS = SEARCH_OWNERS;
const KEY = SEARCH_BENCH_KEY;
const DEFAULT_DEADLINE_MS = 100;
/** Filters matching more rows than this (SEARCH_FILTER_CANDIDATE_MAX's default) are not run with forced candidates. */
const FORCED_CANDIDATES_MAX = 20_000;

interface SearchBody {
  hits: { id: string; score: number }[];
  partial: boolean;
  strategy: { name: string; rounds?: number; fetchK?: number };
}

const ms = (x: number) => Math.round(x * 100) / 100;
const say = (line: string) => process.stderr.write(`${line}\n`);
const rowOf = (id: string) => Number(id.slice(2));

/**
 * `npm run bench -- search [--quick]`: 1M (100k with --quick) clustered 256-d
 * vectors over two index-writer owners, through the search API's HTTP.
 * Shards are built offline in the writer's snapshot format (one child process
 * per owner, cached under .data/bench-search/), each owner an index-writer
 * child on its own one-partition topic that loads them; the search API runs
 * as a child with the synthetic label catalogue. Ground truth is exact
 * (brute force). Raw searchKnn on the same shards runs in this process.
 * Filtered search: a style label and a blogger set at 0.1/1/10/50 % through
 * three more API processes (the selectivity chooser, forced candidates,
 * forced post-filter) and in-process through the owners' two candidate
 * modes; the catalogue is the synthetic in-memory one, or with
 * `--catalog es` the real Elasticsearch adapter over the rows loaded into
 * a bench index (`--keep-catalog` keeps it for the next run).
 * `--build-only` builds the shard cache (and with `--catalog es` loads the
 * catalogue, kept) and stops: run it niced, before the measured run.
 * Last line: {"bench":"search", recall_at_10, p99_ms, qps, raw_p99_ms, filtered_recall_min, partial_p99_ms, ...}.
 */
export async function run(args: string[]): Promise<void> {
  const quick = args.includes('--quick');
  const deadlineArg = args.indexOf('--deadline-ms');
  const DEADLINE_MS = deadlineArg >= 0 ? Number(args[deadlineArg + 1]) : DEFAULT_DEADLINE_MS;
  const catalogArg = args.indexOf('--catalog');
  const catalogKind = catalogArg >= 0 ? args[catalogArg + 1] : 'synthetic';
  if (catalogKind !== 'synthetic' && catalogKind !== 'es') throw new Error(`--catalog must be synthetic or es, got ${String(catalogKind)}`);
  const n = quick ? 100_000 : 1_000_000;
  const nq = quick ? 200 : 500;
  const params = { ...DEFAULT_HNSW_PARAMS, dim: DIM };
  say(`search bench: n=${n} dim=${DIM} owners=${OWNERS} M=${params.m} efConstruction=${params.efConstruction}; ${describeGenerator(GENERATOR)}`);

  // 1. shards, built once per (n, owners, params) and cached
  const cache = searchShardCache(n);
  const { key, dataDir, topics, ranges, perOwner } = cache;
  const built = join(dataDir, 'BUILT');
  if (!existsSync(built)) {
    mkdirSync(dataDir, { recursive: true });
    const t = performance.now();
    await Promise.all(
      topics.map(
        (topic, i) =>
          new Promise<void>((resolve, reject) => {
            const child = fork(join(__dirname, 'support', 'search-shard.builder.js'), [dataDir, topic, String(ranges[i]?.[0]), String(ranges[i]?.[1]), JSON.stringify(GENERATOR)], { stdio: 'inherit' });
            child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`shard builder ${i} exited with ${code}`))));
          }),
      ),
    );
    writeFileSync(built, new Date().toISOString());
    say(`built ${n} vectors into ${OWNERS} owners' shards offline in ${((performance.now() - t) / 1000).toFixed(0)} s (2 processes; cached in ${dataDir})`);
  } else say(`reusing the shards in ${dataDir}`);
  // --build-only: fill the shard cache and stop (the build is CPU work, not a measurement: run it niced, outside the quiet lock).
  if (args.includes('--build-only')) {
    if (catalogKind === 'es') {
      // The catalogue documents too (kept for the measured run, which then needs --keep-catalog to keep them again).
      const es = new ElasticsearchClient({ node: stack.elasticsearchUrl });
      const alias = `bench-search-${key}-catalog`.toLowerCase();
      const loaded = await loadBenchCatalog(es, alias, n, say).finally(() => es.close());
      say(loaded === 0 ? `catalogue: ${n} documents already behind ${alias}` : `catalogue: ${n} documents loaded into ${alias} in ${loaded.toFixed(0)} s`);
    }
    process.stdout.write(`${JSON.stringify({ bench: 'search', n, owners: OWNERS, built: true, cache: dataDir })}\n`);
    return;
  }

  // 2. ground truth
  const base = generateVectors({ n, ...GENERATOR }, { shared: true });
  const queries = generateQueries({ n: nq, ...GENERATOR });
  const qv = (q: number) => Array.from(queries.subarray(q * DIM, (q + 1) * DIM));
  let t = performance.now();
  const truth = await exactTopK(base, queries, 10, DIM);
  const nfq = quick ? 40 : 100;
  const cases = filterCases(n);
  say(`exact ground truth: ${nq} queries in ${((performance.now() - t) / 1000).toFixed(0)} s (filtered: per filter, before its phase)`);

  // 3. raw searchKnn in this process on the same shards (all owners' shards, one after the other)
  const sets: ShardSet[] = [];
  for (const topic of topics) sets.push(await new ShardSnapshotStore(dataDir, partitionScope(topic, 0)).load('1.0.0', params, perOwner));
  const rawAt = (ef: number) => {
    const lat: number[] = [];
    const found: number[][] = [];
    for (let q = 0; q < nq; q++) {
      const v = queries.subarray(q * DIM, (q + 1) * DIM);
      const t0 = performance.now();
      const hits = sets.flatMap((s) => s.search(v, 10, ef)).sort((a, b) => b.score - a.score).slice(0, 10);
      lat.push(performance.now() - t0);
      found.push(hits.map((h) => rowOf(h.imageId)));
    }
    return { recall: recallAtK(truth, found), p50: percentile(lat, 0.5), p99: percentile(lat, 0.99) };
  };

  // 4. owners and the search API
  await createTopics(topics.flatMap((topic) => [topic, `${topic}.dlq`]), 1);
  const updates = uniqueName('bench-search-iu');
  await createTopics([updates], 1);
  const writers = searchOwnerProcesses(cache, updates);
  const apis: AppProcess[] = [];
  // Slower than any deadline the run uses, so every answer with it must be partial.
  const slow = await startSlowOwner(Math.max(1_000, DEADLINE_MS * 3));
  const client: Pool[] = [];
  const es = catalogKind === 'es' ? new ElasticsearchClient({ node: stack.elasticsearchUrl }) : undefined;
  const catalogAlias = `bench-search-${key}-catalog`.toLowerCase();
  try {
    if (es !== undefined) {
      t = performance.now();
      const loaded = await loadBenchCatalog(es, catalogAlias, n, say);
      say(loaded === 0 ? `catalogue: reusing ${n} documents behind ${catalogAlias}` : `catalogue: ${n} documents loaded into ${catalogAlias} in ${loaded.toFixed(0)} s`);
    }
    let unavailable = 0;
    let lastUnavailable = '';
    const search = async (pool: Pool, body: object): Promise<{ ms: number; body: SearchBody }> => {
      const t0 = performance.now();
      const res = await pool.request({ path: '/v1/search/vector', method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': KEY }, body: JSON.stringify(body) });
      const parsed = (await res.body.json()) as SearchBody & { reason?: string };
      if (res.statusCode === 503) {
        // No owner answered within the deadline (an overloaded machine): counted as a failed query with no hits, never a hang.
        unavailable += 1;
        lastUnavailable = parsed.reason ?? '';
        return { ms: performance.now() - t0, body: { hits: [], partial: true, strategy: { name: 'unavailable' } } };
      }
      if (res.statusCode !== 200) throw new Error(`search answered ${res.statusCode}: ${JSON.stringify(parsed)}`);
      return { ms: performance.now() - t0, body: parsed };
    };
    const pass = async (p: Pool, ef: number, count: number, clients = 1) => {
      const lat: number[] = [];
      const found: number[][] = new Array<number[]>(count);
      let partial = 0;
      let next = 0;
      const t0 = performance.now();
      await Promise.all(
        Array.from({ length: clients }, async () => {
          for (let q = next++; q < count; q = next++) {
            const r = await search(p, { vector: qv(q), k: 10, ef });
            lat.push(r.ms);
            found[q] = r.body.hits.map((h) => rowOf(h.id));
            if (r.body.partial) partial += 1;
          }
        }),
      );
      const seconds = (performance.now() - t0) / 1000;
      return { recall: recallAtK({ ...truth, ids: truth.ids.subarray(0, count * 10) }, found), p50: percentile(lat, 0.5), p99: percentile(lat, 0.99), qps: count / seconds, partial, count };
    };
    // the smallest ef reaching recall 0.95 in-process (raw and HTTP use the same ef)
    let ef = 64;
    for (const candidate of [64, 96, 128, 192, 256]) {
      ef = candidate;
      const probe = rawAt(candidate);
      say(`raw ef=${candidate}: recall@10 ${probe.recall.toFixed(4)} p99 ${ms(probe.p99)} ms`);
      if (probe.recall >= 0.95) break;
    }
    const raw = rawAt(ef);
    // First the API that owns every partition itself (SEARCH_LOCAL_OWNER, shards on its main thread: no hop past the API), alone on
    // the machine; then the fan-out deployment (two owner processes), also without the other's processes running.
    t = performance.now();
    const colocated = await startColocatedApi(cache, updates, DEADLINE_MS, qv(0), 8);
    let localOne: Awaited<ReturnType<typeof pass>>;
    let localFour: Awaited<ReturnType<typeof pass>>;
    try {
      say(`API with a local owner of all ${colocated.layout.partitions} partitions ready in ${((performance.now() - t) / 1000).toFixed(0)} s`);
      await pass(colocated.pool, ef, 50);
      localOne = await pass(colocated.pool, ef, nq, 1);
      localFour = await pass(colocated.pool, ef, nq, 4);
    } finally {
      await colocated.close(); // its copy of the shards is not needed by the phases below
    }
    say(`HTTP ef=${ef}, API with a local owner, 1 client: recall@10 ${localOne.recall.toFixed(4)}, p50 ${ms(localOne.p50)} ms, p99 ${ms(localOne.p99)} ms, ${localOne.qps.toFixed(0)} QPS; HTTP/raw p99 ${(localOne.p99 / raw.p99).toFixed(1)}×`);
    say(`HTTP ef=${ef}, API with a local owner, 4 clients: p50 ${ms(localFour.p50)} ms, p99 ${ms(localFour.p99)} ms, ${localFour.qps.toFixed(0)} QPS`);

    t = performance.now();
    await Promise.all(writers.map((w) => w.start(600_000)));
    await waitFor(async () => (await Promise.all(writers.map(async (w) => (await fetch(`${w.url}/readyz`)).status === 200))).every(Boolean), { timeoutMs: 600_000, intervalMs: 500, what: 'owners ready' });
    say(`owners ready (snapshots loaded) in ${((performance.now() - t) / 1000).toFixed(0)} s`);
    const apiEnv = (owners: string[]) => searchApiEnv(cache, owners, DEADLINE_MS);
    // BENCH_PROFILE_DIR: CPU profile of the main API process (written when it stops), to find per-request overhead.
    const profile = process.env.BENCH_PROFILE_DIR === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}`];
    const api = new AppProcess('bench/support/search-bench.server.js', { ...apiEnv(writers.map((w) => w.url)), LOG_LEVEL: 'info' }, 'search-api listening', profile);
    const apiSlow = new AppProcess('bench/support/search-bench.server.js', { ...apiEnv([...writers.map((w) => w.url), slow.url]), LOG_LEVEL: 'info' }, 'search-api listening');
    // One API per filter strategy: the chooser (defaults), and each strategy forced (SEARCH_FILTER_CANDIDATE_MAX / _HIT_COST).
    // Catalogue calls get 30 s: the comparison measures what a strategy costs, not whether it fits the production timeout.
    const strategyEnv = (forced: Record<string, string> = {}) => ({
      ...apiEnv(writers.map((w) => w.url)),
      SEARCH_CATALOG_TIMEOUT_MS: '30000',
      ...forced,
      ...(es === undefined ? {} : { BENCH_CATALOG: 'es', ELASTICSEARCH_URL: stack.elasticsearchUrl, CATALOG_ALIAS: catalogAlias }),
      LOG_LEVEL: 'info',
    });
    const strategyApps: { name: StrategyApi['name']; app: AppProcess }[] = [
      { name: 'auto', app: new AppProcess('bench/support/search-bench.server.js', strategyEnv(), 'search-api listening') },
      { name: 'candidates', app: new AppProcess('bench/support/search-bench.server.js', strategyEnv({ SEARCH_FILTER_CANDIDATE_MAX: String(n), SEARCH_FILTER_HIT_COST: '1e9' }), 'search-api listening') },
      { name: 'post-filter', app: new AppProcess('bench/support/search-bench.server.js', strategyEnv({ SEARCH_FILTER_CANDIDATE_MAX: '0' }), 'search-api listening') },
    ];
    apis.push(api, apiSlow, ...strategyApps.map((s) => s.app));
    await Promise.all(apis.map((a) => a.start()));
    const pools = [api, apiSlow].map((a) => new Pool(a.url, { connections: 8, keepAliveTimeout: 30_000 }));
    const strategyApis: StrategyApi[] = strategyApps.map((s) => ({ name: s.name, pool: new Pool(s.app.url, { connections: 2, keepAliveTimeout: 30_000 }) }));
    client.push(...pools, ...strategyApis.map((s) => s.pool));

    const pool = pools[0];
    // Until a plain query over every owner answers complete (at most 60 s): the owners' backlog of abandoned work is done.
    const drain = async (): Promise<void> => {
      const until = performance.now() + 60_000;
      const counted = unavailable; // drain queries are not measured
      try {
        while (performance.now() < until) {
          const r = await search(pool, { vector: qv(0), k: 10 });
          if (!r.body.partial && r.ms < DEADLINE_MS) return;
        }
        say('owners still busy after 60 s of draining');
      } finally {
        unavailable = counted;
      }
    };
    await pass(pool, ef, 50);
    const one = await pass(pool, ef, nq, 1);
    const four = await pass(pool, ef, nq, 4);
    say(`HTTP ef=${ef}, 1 client: recall@10 ${one.recall.toFixed(4)}, p50 ${ms(one.p50)} ms, p99 ${ms(one.p99)} ms, ${one.qps.toFixed(0)} QPS`);
    say(`HTTP ef=${ef}, 4 clients: p50 ${ms(four.p50)} ms, p99 ${ms(four.p99)} ms, ${four.qps.toFixed(0)} QPS`);
    say(`raw searchKnn in-process (both owners' shards in turn) ef=${ef}: recall@10 ${raw.recall.toFixed(4)}, p50 ${ms(raw.p50)} ms, p99 ${ms(raw.p99)} ms; HTTP/raw p99 ${(one.p99 / raw.p99).toFixed(1)}×`);

    // filtered search: every strategy at every selectivity, the chooser's pick against the better one
    const filteredRows: FilterStrategyRow[] = await measureFilterStrategies({ cases, base, queries, dim: DIM, nfq, rawQueries: quick ? 20 : 10, ef, apis: strategyApis, candidateCap: FORCED_CANDIDATES_MAX, search, sets, drain, log: say });
    say(`\nfiltered search (recall@10 / p50 ms / p99 ms; ${nfq} queries per cell over HTTP, catalogue ${catalogKind}, owners' INDEX_EXACT_FILTER_MAX 20000; forced candidates only up to ${FORCED_CANDIDATES_MAX} matching):\n${strategyTable(filteredRows)}\n`);

    // deep k
    const deep: Record<string, { p50: number; p99: number }> = {};
    for (const k of [1_000, 10_000]) {
      const lat: number[] = [];
      for (let q = 0; q < 20; q++) {
        const r = await search(pool, { vector: qv(q), k });
        if (r.body.hits.length !== k && r.body.strategy.name !== 'unavailable') throw new Error(`k=${k} answered ${r.body.hits.length} hits`);
        lat.push(r.ms);
      }
      deep[k] = { p50: percentile(lat, 0.5), p99: percentile(lat, 0.99) };
      say(`k=${k}: p50 ${ms(percentile(lat, 0.5))} ms, p99 ${ms(percentile(lat, 0.99))} ms (20 queries, all ${k} hits)`);
    }

    // a slow owner (answers after 1 s) beside the two: every answer partial, p99 bounded by the deadline
    await pass(pools[1], ef, 20);
    const slowPass = await pass(pools[1], ef, 100);
    say(`with a slow owner (deadline ${DEADLINE_MS} ms): p50 ${ms(slowPass.p50)} ms, p99 ${ms(slowPass.p99)} ms, partial ${slowPass.partial}/${slowPass.count}, recall@10 ${slowPass.recall.toFixed(4)}`);
    // one owner killed: answers from the survivor, every one partial
    await (writers[1]).kill9();
    const killed = await pass(pool, ef, 100);
    say(`one owner killed (SIGKILL): p50 ${ms(killed.p50)} ms, p99 ${ms(killed.p99)} ms, partial ${killed.partial}/${killed.count}, recall@10 vs all shards ${killed.recall.toFixed(4)} (half the index answers)`);

    const filteredMin = Math.min(...filteredRows.map((r) => r.http.auto.recall));
    const partialP99 = Math.max(slowPass.p99, killed.p99);
    const result = {
      bench: 'search',
      n,
      dim: DIM,
      owners: OWNERS,
      ef,
      recall_at_10: Number(one.recall.toFixed(4)),
      p50_ms: ms(one.p50),
      p99_ms: ms(one.p99),
      qps: Math.round(one.qps),
      qps_4_clients: Math.round(four.qps),
      p99_ms_4_clients: ms(four.p99),
      colocated_recall_at_10: Number(localOne.recall.toFixed(4)),
      colocated_p50_ms: ms(localOne.p50),
      colocated_p99_ms: ms(localOne.p99),
      colocated_qps: Math.round(localOne.qps),
      colocated_qps_4_clients: Math.round(localFour.qps),
      colocated_p99_ms_4_clients: ms(localFour.p99),
      raw_recall_at_10: Number(raw.recall.toFixed(4)),
      raw_p50_ms: ms(raw.p50),
      raw_p99_ms: ms(raw.p99),
      k1000_p99_ms: ms(deep[1000]?.p99 ?? Number.NaN),
      k10000_p99_ms: ms(deep[10000]?.p99 ?? Number.NaN),
      filtered_recall: Object.fromEntries(filteredRows.map((r) => [r.filter, Number(r.http.auto.recall.toFixed(4))])),
      filtered_strategy: Object.fromEntries(filteredRows.map((r) => [r.filter, r.pick])),
      filtered_best_strategy: Object.fromEntries(filteredRows.map((r) => [r.filter, r.best])),
      filtered_pick_ok: filteredRows.every((r) => r.pickOk),
      filtered_p50_ms: Object.fromEntries(filteredRows.map((r) => [r.filter, Object.fromEntries(Object.entries(r.http).map(([k, m]) => [k, ms(m.p50)]))])),
      filtered_recall_min: Number(filteredMin.toFixed(4)),
      catalog: catalogKind,
      deadline_ms: DEADLINE_MS,
      partial_p99_ms: ms(partialP99),
      slow_owner_p99_ms: ms(slowPass.p99),
      killed_owner_p99_ms: ms(killed.p99),
      all_partial: slowPass.partial === slowPass.count && killed.partial === killed.count,
      unavailable_answers: unavailable,
    };
    if (unavailable > 0) say(`${unavailable} queries answered 503 (no owner within ${DEADLINE_MS} ms; last: ${lastUnavailable}): counted as misses`);
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    await Promise.all(client.map((p) => p.close()));
    await Promise.all(apis.map((a) => a.stop()));
    await Promise.all(writers.map((w) => w.stop()));
    await slow.close();
    if (es !== undefined) {
      if (!args.includes('--keep-catalog')) await dropBenchCatalog(es, catalogAlias, say);
      await es.close();
    }
  }
}
