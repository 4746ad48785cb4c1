import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CatalogIndexLifecycle, createElasticsearchClient } from '@stylestream/catalog';
import { createTopics, seededUnitVectors, stack, uniqueName, waitFor } from '@stylestream/test-support';
import { writePartitionSnapshot } from '../../bench/support/search-cluster';
import { TINY_MODEL_ID, tinyManifest, writeTinyModelDir } from '../../libs/model/src/testing/tiny-model-dir.fixture';
import { TINY_OUTPUT_DIM } from '../../libs/model/src/testing/tiny-keras-model.fixture';
import { deleteCatalogIndices, startApi, stopApis, type ApiUnderTest } from './api-process';

/** Vector dimension of the index and of the query model (the tests' tiny ONNX graph). */
export const SEARCH_FIXTURE_DIM = TINY_OUTPUT_DIM;
const MODEL_VERSION = String(tinyManifest().version);
const ROWS = 40;

/** A real search API over a real shard owner; stop() ends both and removes what they made. */
export interface SearchApiFixture {
  readonly api: ApiUnderTest;
  readonly writer: ApiUnderTest;
  readonly apiKey: string;
  /** Ids the owner serves: `img-0` .. `img-39`. */
  readonly ids: readonly string[];
  stop(): Promise<void>;
}

/**
 * Starts, as built child processes on free ports:
 * - an index-writer (the shard owner) on unique topics and group, whose
 *   partition-0 snapshot holds 40 vectors written beforehand in its format,
 *   waited for until it serves them;
 * - the search API over it, with an API key, the tiny ONNX model for image
 *   queries (same dimension as the index), an empty catalogue (a unique
 *   alias on the stack's Elasticsearch, created as the catalogue app would)
 *   and `env` on top (limits under test).
 */
export async function startSearchApiFixture(env: Record<string, string> = {}): Promise<SearchApiFixture> {
  const apiKey = `search-${uniqueName('key')}`;
  const prefix = uniqueName('search-fixture');
  const topic = `${prefix}-vc`;
  const dataDir = mkdtempSync(join(tmpdir(), 'search-fixture-index-'));
  const modelsDir = writeTinyModelDir();
  const started: ApiUnderTest[] = [];
  const es = createElasticsearchClient({ node: stack.elasticsearchUrl });
  const stop = async (): Promise<void> => {
    await stopApis(started);
    await deleteCatalogIndices(prefix);
    await es.close();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(modelsDir, { recursive: true, force: true });
  };
  try {
    await createTopics([topic, `${topic}.dlq`, `${prefix}-iu`], 1);
    const params = { dim: SEARCH_FIXTURE_DIM, space: 'ip' as const, m: 16, efConstruction: 100, ef: 64, seed: 100 };
    const idOf = (row: number): string => `img-${row}`;
    const rows = Array.from({ length: ROWS }, (_, r) => r);
    await writePartitionSnapshot({ dataDir, topic, partition: 0, modelVersion: MODEL_VERSION, params, capacity: 10_000, vectors: seededUnitVectors(7, ROWS, SEARCH_FIXTURE_DIM), rows, idOf });
    const writer = await startApi(
      'index-writer',
      (port) => ({
        KAFKA_GROUP_ID: `${prefix}-writer`,
        INDEX_DATA_DIR: dataDir,
        INDEX_DIM: String(SEARCH_FIXTURE_DIM),
        INDEX_MODEL_VERSION: MODEL_VERSION,
        INDEX_SHARD_CAPACITY: '10000',
        INDEX_TOPIC_VECTOR_CLEANED: topic,
        INDEX_TOPIC_INDEX_UPDATED: `${prefix}-iu`,
        INDEX_HTTP_PORT: String(port),
      }),
      '/readyz',
    );
    started.push(writer);
    await waitFor(async () => ((await (await fetch(`${writer.baseUrl}/v1/ids`)).json()) as { count: number }).count === ROWS, {
      timeoutMs: 60_000,
      what: `the index-writer to serve its ${ROWS} vectors`,
    });
    await new CatalogIndexLifecycle(es, { alias: prefix, shardsIndex: `${prefix}-shards` }).ensure();
    const api = await startApi('search-api', (port) => ({
      SEARCH_HTTP_PORT: String(port),
      SEARCH_API_KEYS: apiKey,
      SEARCH_SHARD_OWNERS: writer.baseUrl,
      SEARCH_SHARD_DEADLINE_MS: '2000',
      SEARCH_DIM: String(SEARCH_FIXTURE_DIM),
      SEARCH_RATE_LIMIT_PER_SEC: '10000',
      SEARCH_RATE_LIMIT_BURST: '10000',
      SEARCH_URL_TIMEOUT_MS: '1000',
      // The shared machine is loaded: the default 1 s catalogue deadline answers 503 (a correct, documented answer, but a 5xx).
      SEARCH_CATALOG_TIMEOUT_MS: '15000',
      SEARCH_CURSOR_SECRET: `${prefix}-cursor-secret`,
      MODEL_DIR: modelsDir,
      MODEL_ID: TINY_MODEL_ID,
      MODEL_INTRA_OP_THREADS: '1',
      ELASTICSEARCH_URL: stack.elasticsearchUrl,
      CATALOG_ALIAS: prefix,
      ...env,
    }));
    started.push(api);
    return { api, writer, apiKey, ids: rows.map(idOf), stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
