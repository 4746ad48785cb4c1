/**
 * Real: Kafka, schema registry, hnswlib-node in worker threads, the file
 * system (temp dir), the k-NN HTTP endpoint. Produces vector-cleaned records
 * (uniques, duplicates, tombstones, a replacement, bad vectors), runs the
 * writer, stops it half-way, restarts it under a NEW consumer group (so only
 * the snapshot's offsets can position it), checks the index holds exactly
 * the expected ids, and queries the endpoint (self-match, id filter).
 */
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { loadConfig } from '@stylestream/config';
import { AvroProducer } from '@stylestream/kafka';
import { createLogger } from '@stylestream/logging';
import { SchemaRegistryGateway, sampleVectorCleaned, vectorCleanedContract, vectorToBytes, type VectorCleaned } from '@stylestream/schemas';
import { createTopics, stack, uniqueName, waitFor } from '@stylestream/test-support';
import { indexWriterConfigSchema, startIndexWriter, type IndexWriterRuntime } from '@stylestream/index-writer';

jest.setTimeout(180_000);

const DIM = 8;
const unit = (seed: number): number[] => {
  const v = Array.from({ length: DIM }, (_, i) => Math.sin(seed * 12.9898 + i * 78.233) + 0.01 * i);
  const n = Math.sqrt(v.reduce((s, x) => s + x * x, 0));
  return v.map((x) => x / n);
};

interface KnnBody {
  owner: string;
  hits: { id: string; score: number }[];
  shards: { shardId: string; count: number }[];
}

const postKnn = async (url: string, body: unknown): Promise<{ status: number; body: KnnBody }> => {
  const res = await fetch(`${url}/v1/knn`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as KnnBody };
};
const getJson = async <T>(url: string): Promise<T> => (await (await fetch(url)).json()) as T;
const idsOf = async (w: IndexWriterRuntime): Promise<string[]> => (await getJson<{ ids: string[] }>(`${w.url}/v1/ids`)).ids.sort();
const isReady = async (w: IndexWriterRuntime): Promise<boolean> => (await fetch(`${w.url}/readyz`)).status === 200;

describe('index-writer (integration)', () => {
  const kafka = new Kafka({ brokers: stack.brokers, clientId: 'index-writer-it', logLevel: logLevel.NOTHING });
  const codec = SchemaRegistryGateway.connect({ url: stack.registryUrl });
  const producer = new AvroProducer(kafka, codec, { retries: 3 });
  let dataDir: string;
  const running = new Set<IndexWriterRuntime>();

  const record = (imageId: string, seed: number, overrides: Partial<VectorCleaned> = {}): VectorCleaned =>
    sampleVectorCleaned({ imageId, modelVersion: '1.0.0', dim: DIM, vector: vectorToBytes(unit(seed)), status: 'UNIQUE', ...overrides });

  const start = async (vc: string, iu: string, group: string, dir = dataDir): Promise<IndexWriterRuntime> => {
    const runtime = await startIndexWriter(
      loadConfig(indexWriterConfigSchema, {
        KAFKA_BROKERS: stack.brokers.join(','),
        KAFKA_GROUP_ID: group,
        KAFKA_RETRY_PROFILE: 'test',
        KAFKA_MAX_WAIT_MS: '100',
        KAFKA_SESSION_TIMEOUT_MS: '6000',
        KAFKA_HEARTBEAT_INTERVAL_MS: '300',
        SCHEMA_REGISTRY_URL: stack.registryUrl,
        INDEX_DATA_DIR: dir,
        INDEX_DIM: String(DIM),
        INDEX_SHARD_CAPACITY: '16',
        INDEX_SNAPSHOT_EVERY_OPS: '7',
        INDEX_SNAPSHOT_EVERY_MS: '200',
        INDEX_WORKERS: '2',
        INDEX_HTTP_PORT: '0',
        INDEX_EXACT_FILTER_MAX: '3',
        INDEX_TOPIC_VECTOR_CLEANED: vc,
        INDEX_TOPIC_INDEX_UPDATED: iu,
      }),
      createLogger('index-writer-it', 'silent'),
    );
    running.add(runtime);
    return runtime;
  };
  const stop = async (w: IndexWriterRuntime): Promise<void> => {
    running.delete(w);
    await w.stop();
  };

  const highWatermark = async (topic: string): Promise<number> => {
    const admin = kafka.admin();
    await admin.connect();
    try {
      return (await admin.fetchTopicOffsets(topic)).reduce((s, p) => s + Number(p.high), 0);
    } finally {
      await admin.disconnect();
    }
  };

  beforeAll(async () => {
    dataDir = await fs.mkdtemp(join(tmpdir(), 'index-writer-it-'));
    await producer.connect();
  });

  afterAll(async () => {
    await Promise.all([...running].map((w) => w.stop()));
    await producer.disconnect();
    await fs.rm(dataDir, { recursive: true, force: true });
  });

  it('ends with exactly the unique, non-deleted ids across a stop and restart; bad input is dead-lettered; k-NN answers over HTTP', async () => {
    const vc = uniqueName('it-iw-vc');
    const iu = uniqueName('it-iw-iu');
    const contract = vectorCleanedContract.onTopic(vc);
    await createTopics([vc, `${vc}.dlq`], 2);
    await createTopics([iu], 1);
    // Phase 1: 30 uniques, 3 duplicates.
    await producer.sendBatch(contract, [
      ...Array.from({ length: 30 }, (_, i) => ({ key: `img-${i}`, value: record(`img-${i}`, i) })),
      ...[0, 1, 2].map((i) => ({ key: `dup-${i}`, value: record(`dup-${i}`, i, { status: 'EXACT_DUPLICATE', duplicateOf: `img-${i}`, similarity: 1 }) })),
    ]);
    const first = await start(vc, iu, uniqueName('it-iw-g1'));
    await waitFor(async () => (await idsOf(first)).length === 30, { timeoutMs: 60_000, what: '30 ids indexed' });
    await waitFor(() => isReady(first), { timeoutMs: 10_000, what: 'ready' });
    await stop(first);

    // Phase 2: 20 more uniques, tombstones, a replacement, bad vectors, an unknown model version.
    await producer.sendBatch(contract, [
      ...Array.from({ length: 20 }, (_, i) => ({ key: `img-${30 + i}`, value: record(`img-${30 + i}`, 30 + i) })),
      ...[0, 1, 2, 3, 4, 99].map((i) => ({ key: `img-${i}`, value: null })),
      { key: 'img-10', value: record('img-10', 1000) },
      { key: 'bad-nan', value: record('bad-nan', 0, { vector: vectorToBytes([Number.NaN, ...unit(1).slice(1)]) }) },
      { key: 'bad-model', value: record('bad-model', 5, { modelVersion: '9.9.9' }) },
      { key: 'bad-norm', value: record('bad-norm', 0, { vector: vectorToBytes(unit(7).map((x) => x * 3)) }) },
      { key: 'bad-dim', value: record('bad-dim', 0, { dim: 4, vector: vectorToBytes([1, 0, 0, 0]) }) },
      { key: 'img-50', value: record('img-50', 50) },
    ]);
    const second = await start(vc, iu, uniqueName('it-iw-g2'));
    const expected = Array.from({ length: 46 }, (_, i) => `img-${5 + i}`).sort();
    await waitFor(async () => JSON.stringify(await idsOf(second)) === JSON.stringify(expected), { timeoutMs: 60_000, what: 'expected id set' });
    await waitFor(async () => (await highWatermark(`${vc}.dlq`)) === 4, { timeoutMs: 30_000, what: 'four dead letters' });
    await stop(second);

    // A third start from the snapshots alone holds the same set; the endpoint answers from it.
    const third = await start(vc, iu, uniqueName('it-iw-g3'));
    await waitFor(() => isReady(third), { timeoutMs: 10_000, what: 'ready after restart' });
    expect(await idsOf(third)).toEqual(expected);
    const self = await postKnn(third.url, { vector: unit(1000), k: 5 });
    expect(self.status).toBe(200);
    expect(self.body.hits[0]?.id).toBe('img-10');
    expect(self.body.hits[0]?.score).toBeCloseTo(1, 4);
    for (const id of ['img-7', 'img-33', 'img-50']) {
      const seed = Number(id.slice(4));
      expect((await postKnn(third.url, { vector: unit(seed), k: 1 })).body.hits[0]?.id).toBe(id);
    }
    const all = await postKnn(third.url, { vector: unit(20), k: 1000 });
    expect(all.body.hits.map((h) => h.id).sort()).toEqual(expected);
    const small = ['img-20', 'img-21', 'img-3'];
    const exact = await postKnn(third.url, { vector: unit(20), k: 10, filterIds: small });
    expect(exact.body.hits.map((h) => h.id)).toEqual(['img-20', 'img-21']);
    const large = expected.filter((_, i) => i % 2 === 0);
    const filtered = await postKnn(third.url, { vector: unit(20), k: 10, filterIds: large, excludeIds: ['img-5'] });
    expect(filtered.body.hits).toHaveLength(10);
    expect(filtered.body.hits.every((h) => large.includes(h.id) && h.id !== 'img-5')).toBe(true);
    const vector = await getJson<{ id: string; vector: number[] }>(`${third.url}/v1/vectors/img-10`);
    expect(vector.vector.map((x, i) => Math.abs(x - (unit(1000)[i] ?? 0)) < 1e-5)).toEqual(Array.from({ length: DIM }, () => true));
    expect((await postKnn(third.url, { vector: unit(1), k: 1, modelVersion: '2.0.0' })).status).toBe(404);
    expect((await postKnn(third.url, { vector: unit(1), k: 20_001 })).status).toBe(400);
    const metrics = await (await fetch(`${third.url}/metrics`)).text();
    expect(metrics).toMatch(/index_shard_vectors\{/);
    expect(await highWatermark(iu)).toBeGreaterThan(0);
    expect(await highWatermark(`${vc}.dlq`)).toBe(4);
    await stop(third);
  });

  it('two writers in one group split the partitions and their shards; the survivor takes all back when one stops', async () => {
    const vc = uniqueName('it-iw2-vc');
    const iu = uniqueName('it-iw2-iu');
    const contract = vectorCleanedContract.onTopic(vc);
    await createTopics([vc, `${vc}.dlq`], 4);
    await createTopics([iu], 1);
    const group = uniqueName('it-iw2-g');
    const dir = await fs.mkdtemp(join(tmpdir(), 'index-writer-it2-'));
    const batch = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => ({ key: `img-${from + i}`, value: record(`img-${from + i}`, from + i) }));
    const expectedUpTo = (n: number): string[] => Array.from({ length: n }, (_, i) => `img-${i}`).sort();
    try {
      await producer.sendBatch(contract, batch(0, 40));
      const a = await start(vc, iu, group, dir);
      await waitFor(async () => (await idsOf(a)).length === 40, { timeoutMs: 60_000, what: 'writer A indexed 40' });

      const b = await start(vc, iu, group, dir);
      const partitionsOf = async (w: IndexWriterRuntime): Promise<number[]> => (await getJson<{ partitions: number[] }>(`${w.url}/v1/shards`)).partitions;
      await waitFor(async () => (await partitionsOf(a)).length > 0 && (await partitionsOf(b)).length > 0 && (await isReady(a)) && (await isReady(b)), {
        timeoutMs: 60_000,
        what: 'both writers own partitions and are ready',
      });
      await producer.sendBatch(contract, batch(40, 60));
      await waitFor(
        async () => {
          const [ia, ib] = [await idsOf(a), await idsOf(b)];
          return ia.length + ib.length === 60 && JSON.stringify([...ia, ...ib].sort()) === JSON.stringify(expectedUpTo(60));
        },
        { timeoutMs: 60_000, what: 'A and B together hold the 60 ids, each once' },
      );
      const [pa, pb] = [await partitionsOf(a), await partitionsOf(b)];
      expect([...pa, ...pb].sort()).toEqual([0, 1, 2, 3]);
      // Each owner's shards are those of its partitions.
      const shardsOf = async (w: IndexWriterRuntime) => (await getJson<{ shards: { partitions: number[] }[] }>(`${w.url}/v1/shards`)).shards.flatMap((s) => s.partitions);
      expect(new Set(await shardsOf(b))).toEqual(new Set(pb));
      // A stored vector held by B is found by B, not A.
      const heldByB = (await idsOf(b))[0] ?? '';
      const seed = Number(heldByB.slice(4));
      expect((await postKnn(b.url, { vector: unit(seed), k: 1 })).body.hits[0]?.id).toBe(heldByB);
      expect((await postKnn(a.url, { vector: unit(seed), k: 60 })).body.hits.map((h) => h.id)).not.toContain(heldByB);

      await stop(b);
      await producer.sendBatch(contract, batch(60, 70));
      await waitFor(async () => JSON.stringify(await idsOf(a)) === JSON.stringify(expectedUpTo(70)), { timeoutMs: 60_000, what: 'A holds all 70 ids after B left' });
      expect(await partitionsOf(a)).toEqual([0, 1, 2, 3]);
      await stop(a);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});
