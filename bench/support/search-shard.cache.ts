import { createHash } from 'node:crypto';
import { copyFileSync, linkSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_HNSW_PARAMS } from '@stylestream/index';
import { Pool } from 'undici';
import { createTopics, stack, uniqueName, waitFor } from '@stylestream/test-support';
import { AppProcess } from './search-cluster';

export const SEARCH_DIM = 256;
/**
 * The generator parameters the cached shards were built with, pinned: the shared
 * generator's defaults are still being calibrated, and shards built from other
 * rows than the ground truth would make every recall figure meaningless. The
 * cache directory name carries a hash of them.
 */
export const SEARCH_GENERATOR = { dim: SEARCH_DIM, seed: 42, latentDim: 128, clusters: 2000, sizeSkew: 0.8, clusterSpread: 0.7, spreadJitter: 0.3, noise: 1 };
export const SEARCH_OWNERS = 2;
export const SEARCH_BENCH_KEY = 'bench-search-key-0001';

/** Where the search benchmarks keep the shards of n vectors (one partition per owner, built by `npm run bench -- search --build-only`). */
export interface SearchShardCache {
  readonly n: number;
  readonly key: string;
  readonly dataDir: string;
  /** One vector-cleaned topic per owner (the shards' partition scope). */
  readonly topics: readonly string[];
  /** Rows of each owner, as [from, to). */
  readonly ranges: readonly (readonly [number, number])[];
  /** Shard capacity: the owner's rows fit in one growing shard. */
  readonly perOwner: number;
}

export function searchShardCache(n: number): SearchShardCache {
  const params = { ...DEFAULT_HNSW_PARAMS, dim: SEARCH_DIM };
  const key = `n${n}-o${SEARCH_OWNERS}-m${params.m}-efc${params.efConstruction}-g${createHash('sha256').update(JSON.stringify(SEARCH_GENERATOR)).digest('hex').slice(0, 8)}`;
  return {
    n,
    key,
    dataDir: join(process.cwd(), '.data', 'bench-search', key),
    topics: Array.from({ length: SEARCH_OWNERS }, (_, i) => `bench-search-${key}-w${i}`),
    ranges: Array.from({ length: SEARCH_OWNERS }, (_, i) => [Math.floor((i * n) / SEARCH_OWNERS), Math.floor(((i + 1) * n) / SEARCH_OWNERS)] as const),
    perOwner: Math.ceil(n / SEARCH_OWNERS) + 1,
  };
}

/** One index-writer per cached topic, loading its shards from the cache (not started). */
export function searchOwnerProcesses(cache: SearchShardCache, updatesTopic: string, extraArgs: readonly string[] = []): AppProcess[] {
  return cache.topics.map(
    (topic) =>
      new AppProcess(
        'index-writer',
        {
          KAFKA_BROKERS: stack.brokers.join(','),
          SCHEMA_REGISTRY_URL: stack.registryUrl,
          KAFKA_GROUP_ID: uniqueName('bench-search-writer'),
          INDEX_DATA_DIR: cache.dataDir,
          INDEX_DIM: String(SEARCH_DIM),
          INDEX_SHARD_CAPACITY: String(cache.perOwner),
          INDEX_TOPIC_VECTOR_CLEANED: topic,
          INDEX_TOPIC_INDEX_UPDATED: updatesTopic,
          INDEX_HTTP_PORT: '0',
          LOG_LEVEL: 'info',
        },
        'index-writer started',
        [...extraArgs],
      ),
  );
}

/** The search API process of the benchmarks (bench/support/search-bench.server.ts) over the given owners. */
export function searchApiEnv(cache: SearchShardCache, owners: readonly string[], deadlineMs: number): Record<string, string> {
  return {
    BENCH_N: String(cache.n),
    SEARCH_HTTP_PORT: '0',
    SEARCH_API_KEYS: SEARCH_BENCH_KEY,
    SEARCH_SHARD_OWNERS: owners.join(','),
    SEARCH_SHARD_DEADLINE_MS: String(deadlineMs),
    SEARCH_DIM: String(SEARCH_DIM),
    SEARCH_IMAGE_MODEL: 'false',
    SEARCH_MODEL_VERSION: '1.0.0',
    SEARCH_RATE_LIMIT_PER_SEC: '1000000',
    SEARCH_RATE_LIMIT_BURST: '1000000',
    LOG_LEVEL: 'warn',
  };
}

/** The cached shards laid out for one owner of every partition: one topic, partition p = cached owner p's shard. */
export interface ColocatedLayout {
  readonly dataDir: string;
  readonly topic: string;
  readonly partitions: number;
  /** Removes the layout (the links only: the cache keeps its files). */
  dispose(): void;
}

/**
 * The cache's shards as the partitions of one topic, for a single owner that holds them all (the search API's
 * local owner): `<cache>-colocated/<topic>/1.0.0/<topic>-<p>/` holds hard links to cached owner p's shard files and a
 * copy of its manifest (shard ids are read from the manifest, so the files keep their names). Instant, no extra disk; a
 * snapshot the owner writes replaces files by rename, so the cache itself never changes. The topic is new for each
 * layout, so records a run produced to it never reach another run's owner.
 */
export function colocatedLayout(cache: SearchShardCache): ColocatedLayout {
  const topic = uniqueName(`bench-search-${cache.key}-all`);
  const dataDir = join(`${cache.dataDir}-colocated`, topic);
  cache.topics.forEach((ownerTopic, p) => {
    const from = join(cache.dataDir, '1.0.0', `${ownerTopic}-0`);
    const to = join(dataDir, '1.0.0', `${topic}-${p}`);
    mkdirSync(to, { recursive: true });
    for (const file of readdirSync(from)) {
      const target = join(to, file);
      if (file === 'MANIFEST.json') copyFileSync(join(from, file), target);
      else linkSync(join(from, file), target);
    }
  });
  return { dataDir, topic, partitions: cache.topics.length, dispose: () => rmSync(dataDir, { recursive: true, force: true }) };
}

/** The benchmark search API running the owner of every partition in its own process (SEARCH_LOCAL_OWNER, shards on the main thread). */
export function colocatedApiEnv(cache: SearchShardCache, layout: ColocatedLayout, updatesTopic: string, deadlineMs: number): Record<string, string> {
  return {
    ...searchApiEnv(cache, [], deadlineMs),
    SEARCH_LOCAL_OWNER: 'true',
    KAFKA_BROKERS: stack.brokers.join(','),
    SCHEMA_REGISTRY_URL: stack.registryUrl,
    KAFKA_GROUP_ID: uniqueName('bench-search-local-owner'),
    INDEX_DATA_DIR: layout.dataDir,
    INDEX_DIM: String(SEARCH_DIM),
    INDEX_SHARD_CAPACITY: String(cache.perOwner),
    INDEX_TOPIC_VECTOR_CLEANED: layout.topic,
    INDEX_TOPIC_INDEX_UPDATED: updatesTopic,
    INDEX_WORKERS: '0',
    INDEX_HTTP_PORT: '0',
  };
}

/** Until the API answers with every one of `shards` shards (its local owner has joined its group and loaded the snapshots). */
export async function waitForFullCoverage(pool: Pool, vector: number[], shards: number): Promise<void> {
  await waitFor(
    async () => {
      const res = await pool.request({ path: '/v1/search/vector', method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': SEARCH_BENCH_KEY }, body: JSON.stringify({ vector, k: 1 }) });
      const body = (await res.body.json()) as { coverage?: { answered?: number } };
      return res.statusCode === 200 && body.coverage?.answered === shards;
    },
    { timeoutMs: 600_000, intervalMs: 500, what: `the local owner answering all ${shards} shards` },
  );
}

/** A running benchmark search API with a local owner of every cached partition. */
export interface ColocatedApi {
  readonly app: AppProcess;
  readonly pool: Pool;
  readonly layout: ColocatedLayout;
  /** Closes the pool, stops the API (a no-op after a kill) and removes the layout. */
  close(): Promise<void>;
}

/**
 * Lays the cache out for one owner (`colocatedLayout`), creates its topic, starts the benchmark search API with
 * SEARCH_LOCAL_OWNER over it, and waits until a query covers every partition (`probe`: any query vector).
 */
export async function startColocatedApi(cache: SearchShardCache, updatesTopic: string, deadlineMs: number, probe: number[], connections: number): Promise<ColocatedApi> {
  const layout = colocatedLayout(cache);
  const app = new AppProcess('bench/support/search-bench.server.js', { ...colocatedApiEnv(cache, layout, updatesTopic, deadlineMs), LOG_LEVEL: 'info' }, 'search-api listening');
  let pool: Pool | undefined;
  const close = async (): Promise<void> => {
    await pool?.close();
    await app.stop();
    layout.dispose();
  };
  try {
    await createTopics([layout.topic, `${layout.topic}.dlq`], layout.partitions);
    await app.start(600_000);
    pool = new Pool(app.url, { connections, keepAliveTimeout: 30_000 });
    await waitForFullCoverage(pool, probe, layout.partitions);
    return { app, pool, layout, close };
  } catch (err) {
    await close();
    throw err;
  }
}

