import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { AvroProducer } from '@stylestream/kafka';
import { SchemaRegistryGateway, sampleVectorCleaned, vectorCleanedContract, vectorToBytes } from '@stylestream/schemas';
import { createTopics, exactTopRows, seededUnitVectors, stack, uniqueName, waitFor } from '@stylestream/test-support';
import { AppProcess, writePartitionSnapshot } from '../../../bench/support/search-cluster';
import { searchApiTestEnv } from './search-api.test-env';

/**
 * Real: the search API child process running a shard owner in its own process
 * (SEARCH_LOCAL_OWNER, INDEX_WORKERS=0) over a two-partition topic, a
 * standalone index-writer child on a topic of its own, Kafka, the registry and
 * Elasticsearch (a unique, empty alias, so hits come without facts). Shards
 * are written offline in the snapshot format; one more vector is published
 * while the API runs, so the local owner must consume to find it.
 */
const DIM = 8;
const N = 240;
const KEY = 'int-test-key-0002';

const idOf = (row: number) => `img-${row}`;

interface SearchBody {
  hits: { id: string; score: number }[];
  partial: boolean;
  coverage: { shards: number; answered: number; failed: number; owners: { total: number; answered: number }; missing: { owner: string; reason: string }[] };
}

describe('search API with a shard owner in its own process', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'search-local-it-'));
  const localTopic = uniqueName('search-local-it-vc');
  const remoteTopic = uniqueName('search-remote-it-vc');
  const updates = uniqueName('search-local-it-iu');
  const base = seededUnitVectors(11, N + 1, DIM);
  /** Rows 0–79 and 80–159 in the local owner's two partitions, 160–239 at the standalone writer; row 240 is published later. */
  const LATE = N;
  const kafka = new Kafka({ brokers: stack.brokers, clientId: 'search-local-it', logLevel: logLevel.NOTHING });
  const producer = new AvroProducer(kafka, SchemaRegistryGateway.connect({ url: stack.registryUrl }), { retries: 3 });
  let writer: AppProcess;
  let api: AppProcess;

  const post = async (body: object): Promise<{ status: number; body: SearchBody }> => {
    const res = await fetch(`${api.url}/v1/search/vector`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': KEY }, body: JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as SearchBody };
  };
  const vectorOf = (row: number) => Array.from(base.subarray(row * DIM, (row + 1) * DIM));
  const exactTop = (row: number, k: number, rows: number) => exactTopRows(base, DIM, row, k, range(0, rows)).map(idOf);
  const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);
  const kafkaEnv = { KAFKA_BROKERS: stack.brokers.join(','), SCHEMA_REGISTRY_URL: stack.registryUrl, KAFKA_SESSION_TIMEOUT_MS: '6000', KAFKA_HEARTBEAT_INTERVAL_MS: '300', KAFKA_MAX_WAIT_MS: '100' };

  beforeAll(async () => {
    await createTopics([localTopic, `${localTopic}.dlq`], 2);
    await createTopics([remoteTopic, `${remoteTopic}.dlq`, updates], 1);
    const params = { dim: DIM, space: 'ip' as const, m: 16, efConstruction: 200, ef: 64, seed: 100 };
    const snapshot = (topic: string, partition: number, rows: number[]) => writePartitionSnapshot({ dataDir, topic, partition, modelVersion: '1.0.0', params, capacity: 10_000, vectors: base, rows, idOf });
    await snapshot(localTopic, 0, range(0, 80));
    await snapshot(localTopic, 1, range(80, 160));
    await snapshot(remoteTopic, 0, range(160, N));
    const writerEnv = { ...kafkaEnv, INDEX_DATA_DIR: dataDir, INDEX_DIM: String(DIM), INDEX_SHARD_CAPACITY: '10000', INDEX_TOPIC_INDEX_UPDATED: updates, INDEX_HTTP_PORT: '0' };
    writer = new AppProcess('index-writer', { ...writerEnv, KAFKA_GROUP_ID: uniqueName('search-remote-it-writer'), INDEX_TOPIC_VECTOR_CLEANED: remoteTopic }, 'index-writer started');
    await writer.start();
    await waitFor(async () => (await fetch(`${writer.url}/readyz`)).status === 200, { timeoutMs: 60_000, what: 'index-writer ready' });
    api = new AppProcess(
      'search-api',
      {
        ...writerEnv,
        KAFKA_GROUP_ID: uniqueName('search-local-it-writer'),
        INDEX_TOPIC_VECTOR_CLEANED: localTopic,
        INDEX_WORKERS: '0',
        SEARCH_LOCAL_OWNER: 'true',
        ...searchApiTestEnv({ apiKey: KEY, owners: [writer.url], deadlineMs: 500, dim: DIM }),
      },
      'search-api listening',
    );
    await api.start(120_000);
  }, 180_000);

  afterAll(async () => {
    await producer.disconnect();
    await api?.stop();
    await writer?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }, 60_000);

  it('merges the local owner\'s two partitions with the standalone writer\'s shard: the exact top 10, full coverage', async () => {
    // The local owner joins its group and loads both partitions' snapshots after the API starts listening: /readyz says when.
    const firstReady = await fetch(`${api.url}/readyz`);
    if (firstReady.status !== 200) expect(JSON.stringify(await firstReady.json())).toContain('local-owner');
    await waitFor(async () => (await fetch(`${api.url}/readyz`)).status === 200, { timeoutMs: 60_000, intervalMs: 200, what: 'search API ready' });
    for (const row of [5, 100, 200]) {
      const res = await post({ vector: vectorOf(row), k: 10, ef: 200 });
      expect(res.status).toBe(200);
      expect(res.body.hits[0]).toMatchObject({ id: idOf(row) });
      expect(res.body.hits.map((h) => h.id)).toEqual(exactTop(row, 10, N));
      expect(res.body.partial).toBe(false);
      expect(res.body.coverage).toMatchObject({ shards: 3, answered: 3, owners: { total: 2, answered: 2 } });
    }
  }, 90_000);

  it('finds a vector published while it runs: the local owner consumes vector-cleaned itself', async () => {
    await producer.sendBatch(vectorCleanedContract.onTopic(localTopic), [
      { key: idOf(LATE), value: sampleVectorCleaned({ imageId: idOf(LATE), modelVersion: '1.0.0', dim: DIM, vector: vectorToBytes(vectorOf(LATE)), status: 'UNIQUE' }) },
    ]);
    await waitFor(async () => (await post({ vector: vectorOf(LATE), k: 1 })).body.hits?.[0]?.id === idOf(LATE), { timeoutMs: 30_000, intervalMs: 200, what: 'the late vector searchable' });
    const res = await post({ vector: vectorOf(LATE), k: 10, ef: 200 });
    expect(res.body.hits.map((h) => h.id)).toEqual(exactTop(LATE, 10, N + 1));
  }, 60_000);

  it('answers from its own shards, flagged partial with the reason, when the standalone writer is killed', async () => {
    await writer.kill9();
    const res = await post({ vector: vectorOf(5), k: 10, ef: 200 });
    expect(res.status).toBe(200);
    expect(res.body.partial).toBe(true);
    expect(res.body.coverage).toMatchObject({ answered: 2, failed: 1, missing: [{ owner: writer.url, reason: 'error' }] });
    const localRows = [...range(0, 160), LATE];
    const exactLocal = exactTopRows(base, DIM, 5, 10, localRows).map(idOf);
    expect(res.body.hits.map((h) => h.id)).toEqual(exactLocal);
  }, 30_000);
});
