import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Kafka, logLevel } from 'kafkajs';
import { Pool } from 'undici';
import { AvroProducer } from '@stylestream/kafka';
import { SchemaRegistryGateway } from '@stylestream/schemas';
import { createTopics, stack, uniqueName, waitFor } from '@stylestream/test-support';
import { generateQueries, generateVectors } from './support/clustered-vectors';
import { produceCleaned } from './support/index-feed';
import { AppProcess } from './support/search-cluster';
import { SEARCH_BENCH_KEY, SEARCH_DIM, SEARCH_GENERATOR, type ColocatedApi, searchApiEnv, searchOwnerProcesses, startColocatedApi, searchShardCache } from './support/search-shard.cache';
import { percentile } from './support/percentile';

const say = (line: string) => process.stderr.write(`${line}\n`);
const round = (x: number) => Math.round(x * 100) / 100;

interface Step {
  p50_ms: number;
  p99_ms: number;
  /** The answering process's own `tookMs` (owner: the shard search; API: the whole query), when it reports one. */
  server_p50_ms?: number;
  server_p99_ms?: number;
}

/**
 * `npm run bench -- search-path [--n=100000] [--queries=400] [--ef=128]`:
 * where the time of one vector query goes, hop by hop, on the search
 * benchmark's cached shards (built by `npm run bench -- search [--quick]
 * --build-only`). Sequential requests, one client, after 30 warm-up ones:
 *
 * - the floor: a bare Node HTTP server in this process (one hop, no framework);
 * - an owner's framework route with no work (`GET /readyz`);
 * - one owner's `POST /v1/knn`, then both owners in parallel (the fan-out alone);
 * - the API's `GET /healthz`, then `POST /v1/search/vector` (the whole query);
 * - the whole query again on an API that holds every partition's shards itself
 *   (SEARCH_LOCAL_OWNER, INDEX_WORKERS=0): no hop past the API; then the same
 *   while new vectors arrive on its topic (`--ingest-rate`, default 200/s): the
 *   local owner inserts on the thread that answers queries.
 *
 * Last line: {"bench":"search-path","n":..,"ef":..,"steps":{...}}.
 */
export async function run(args: string[]): Promise<void> {
  const flag = (name: string, fallback: number): number => Number(args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback);
  const n = flag('n', 100_000);
  const nq = flag('queries', 400);
  const ef = flag('ef', 128);
  const ingestRate = flag('ingest-rate', 200);
  const cache = searchShardCache(n);
  if (!existsSync(join(cache.dataDir, 'BUILT'))) throw new Error(`no cached shards for n=${n} in ${cache.dataDir}: run \`npm run bench -- search${n === 100_000 ? ' --quick' : ''} --build-only\` first`);
  const queries = generateQueries({ ...SEARCH_GENERATOR, n: nq + 30 });
  const vector = (i: number): number[] => Array.from(queries.subarray((i % (nq + 30)) * SEARCH_DIM, ((i % (nq + 30)) + 1) * SEARCH_DIM));
  say(`search-path bench: n=${n} ef=${ef} queries=${nq} (sequential, one client)`);

  const steps: Record<string, Step> = {};
  const measure = async (name: string, call: (i: number) => Promise<{ ms: number; tookMs?: number }>, count = nq): Promise<void> => {
    for (let i = 0; i < 30; i++) await call(i);
    const lat: number[] = [];
    const server: number[] = [];
    for (let i = 30; i < count + 30; i++) {
      const r = await call(i);
      lat.push(r.ms);
      if (r.tookMs !== undefined) server.push(r.tookMs);
    }
    const step: Step = { p50_ms: round(percentile(lat, 0.5)), p99_ms: round(percentile(lat, 0.99)) };
    if (server.length > 0) Object.assign(step, { server_p50_ms: round(percentile(server, 0.5)), server_p99_ms: round(percentile(server, 0.99)) });
    steps[name] = step;
    say(`${name.padEnd(34)} p50 ${step.p50_ms} ms, p99 ${step.p99_ms} ms${step.server_p50_ms === undefined ? '' : `; its own tookMs p50 ${step.server_p50_ms}, p99 ${step.server_p99_ms}`}`);
  };
  const timed = async (pool: Pool, path: string, body?: object, headers: Record<string, string> = {}): Promise<{ ms: number; tookMs?: number }> => {
    const t0 = performance.now();
    const res = await pool.request({ path, method: body === undefined ? 'GET' : 'POST', headers: { 'content-type': 'application/json', ...headers }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    const parsed = (await res.body.json()) as { tookMs?: unknown };
    const ms = performance.now() - t0;
    if (res.statusCode !== 200) throw new Error(`${path} answered ${res.statusCode}: ${JSON.stringify(parsed)}`);
    return typeof parsed.tookMs === 'number' ? { ms, tookMs: parsed.tookMs } : { ms };
  };

  // The floor: a bare server in this process.
  const bare = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = chunks.length === 0 ? {} : (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { vector?: unknown[] });
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ n: body.vector?.length ?? 0 }));
    });
  });
  await new Promise<void>((resolve) => bare.listen(0, '127.0.0.1', resolve));
  const pools: Pool[] = [];
  const pool = (url: string): Pool => {
    const p = new Pool(url, { connections: 2, keepAliveTimeout: 30_000 });
    pools.push(p);
    return p;
  };
  const updates = uniqueName('bench-search-path-iu');
  await createTopics(cache.topics.flatMap((t) => [t, `${t}.dlq`]), 1);
  await createTopics([updates], 1);
  const owners = searchOwnerProcesses(cache, updates);
  let api: AppProcess | undefined;
  let colocated: ColocatedApi | undefined;
  try {
    const barePool = pool(`http://127.0.0.1:${(bare.address() as AddressInfo).port}`);
    await measure('bare node server, POST a vector', (i) => timed(barePool, '/', { vector: vector(i), k: 10, ef }));
    await Promise.all(owners.map((o) => o.start(600_000)));
    await waitFor(async () => (await Promise.all(owners.map(async (o) => (await fetch(`${o.url}/readyz`)).status === 200))).every(Boolean), { timeoutMs: 600_000, intervalMs: 300, what: 'owners ready' });
    const ownerPools = owners.map((o) => pool(o.url));
    const [first] = ownerPools;
    if (first === undefined) throw new Error('no owner');
    await measure('owner GET /readyz', () => timed(first, '/readyz'));
    await measure('owner POST /v1/knn', (i) => timed(first, '/v1/knn', { vector: vector(i), k: 10, ef }));
    await measure('both owners POST /v1/knn, parallel', async (i) => {
      const t0 = performance.now();
      const answers = await Promise.all(ownerPools.map((p) => timed(p, '/v1/knn', { vector: vector(i), k: 10, ef })));
      return { ms: performance.now() - t0, tookMs: Math.max(...answers.map((a) => a.tookMs ?? 0)) };
    });
    api = new AppProcess('bench/support/search-bench.server.js', { ...searchApiEnv(cache, owners.map((o) => o.url), 100), LOG_LEVEL: 'info' }, 'search-api listening');
    await api.start();
    const apiPool = pool(api.url);
    await measure('API GET /healthz', () => timed(apiPool, '/healthz'));
    await measure('API POST /v1/search/vector', (i) => timed(apiPool, '/v1/search/vector', { vector: vector(i), k: 10, ef }, { 'x-api-key': SEARCH_BENCH_KEY }));
    await api.stop();
    await Promise.all(owners.map((o) => o.stop()));
    colocated = await startColocatedApi(cache, updates, 100, vector(0), 2);
    const localPool = colocated.pool;
    await measure('API with a local owner, POST /v1/search/vector', (i) => timed(localPool, '/v1/search/vector', { vector: vector(i), k: 10, ef }, { 'x-api-key': SEARCH_BENCH_KEY }));
    if (ingestRate > 0) {
      const feed = await ingestWhile(colocated.layout.topic, ingestRate, () =>
        // Five times as many queries, so the step lasts several seconds of arrivals.
        measure(`same, while ${ingestRate} vectors/s arrive`, (i) => timed(localPool, '/v1/search/vector', { vector: vector(i), k: 10, ef }, { 'x-api-key': SEARCH_BENCH_KEY }), nq * 5),
      );
      const ended = performance.now();
      await waitFor(
        async () => {
          const res = await localPool.request({ path: '/v1/search/vector', method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': SEARCH_BENCH_KEY }, body: JSON.stringify({ vector: feed.lastVector, k: 1 }) });
          return ((await res.body.json()) as { hits?: { id: string }[] }).hits?.[0]?.id === feed.lastId;
        },
        { timeoutMs: 60_000, intervalMs: 50, what: 'the last vector sent searchable' },
      );
      say(`  (${feed.sent} vectors sent during the step, ${feed.rate.toFixed(0)}/s; the last one searchable ${(performance.now() - ended).toFixed(0)} ms after the step ended)`);
      // The inserts are not wanted in a snapshot of the hard-linked layout: no graceful stop, so no final snapshot.
      await colocated.app.kill9();
    }
  } finally {
    await Promise.all(pools.map((p) => p.close()));
    await api?.stop();
    await colocated?.close();
    await Promise.all(owners.map((o) => o.stop()));
    await new Promise<void>((resolve) => bare.close(() => resolve()));
  }
  process.stdout.write(`${JSON.stringify({ bench: 'search-path', n, ef, queries: nq, steps })}\n`);
}

/**
 * Runs `step` while vector-cleaned records of new generated rows (ids `ingest-<run>-<row>`) arrive on `topic` at
 * about `perSecond`, in batches every 100 ms; stops the feed when the step ends.
 */
async function ingestWhile(topic: string, perSecond: number, step: () => Promise<void>): Promise<{ sent: number; rate: number; lastId: string; lastVector: number[] }> {
  const kafka = new Kafka({ brokers: stack.brokers, clientId: 'bench-search-path-feed', logLevel: logLevel.NOTHING });
  const producer = new AvroProducer(kafka, SchemaRegistryGateway.connect({ url: stack.registryUrl }), { retries: 3 });
  await producer.connect();
  const rows = generateVectors({ ...SEARCH_GENERATOR, seed: SEARCH_GENERATOR.seed + 1, n: 20_000 });
  const run = uniqueName('ingest');
  const perTick = Math.max(1, Math.round(perSecond / 10));
  let sent = 0;
  let stopped = false;
  const started = performance.now();
  const feed = (async () => {
    while (!stopped && sent + perTick <= 20_000) {
      const tick = performance.now();
      await produceCleaned(producer, topic, rows, SEARCH_DIM, sent, sent + perTick, { batch: perTick, idOf: (r) => `${run}-${r}` });
      sent += perTick;
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, 100 - (performance.now() - tick))));
    }
  })();
  try {
    await step();
  } finally {
    stopped = true;
    await feed;
    await producer.disconnect();
  }
  const last = Math.max(0, sent - 1);
  return { sent, rate: sent / ((performance.now() - started) / 1000), lastId: `${run}-${last}`, lastVector: Array.from(rows.subarray(last * SEARCH_DIM, (last + 1) * SEARCH_DIM)) };
}

