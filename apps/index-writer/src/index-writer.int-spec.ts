/**
 * Real: Kafka, schema registry, hnswlib-node, the file system (temp dir).
 * Produces vector-cleaned records (uniques, duplicates, tombstones, a
 * replacement, a bad vector), runs the writer, stops it half-way, restarts it
 * under a NEW consumer group (so only the snapshot's offsets can position
 * it) and checks the index holds exactly the expected ids.
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
import { indexWriterConfigSchema } from './index-writer.config';
import { startIndexWriter, type IndexWriterRuntime } from './index-writer.runtime';

jest.setTimeout(120_000);

const DIM = 8;
const unit = (seed: number): number[] => {
  const v = Array.from({ length: DIM }, (_, i) => Math.sin(seed * 12.9898 + i * 78.233) + 0.01 * i);
  const n = Math.sqrt(v.reduce((s, x) => s + x * x, 0));
  return v.map((x) => x / n);
};

describe('index-writer (integration)', () => {
  const kafka = new Kafka({ brokers: stack.brokers, clientId: 'index-writer-it', logLevel: logLevel.NOTHING });
  const codec = SchemaRegistryGateway.connect({ url: stack.registryUrl });
  const producer = new AvroProducer(kafka, codec, { retries: 3 });
  const vc = uniqueName('it-iw-vc');
  const iu = uniqueName('it-iw-iu');
  const contract = vectorCleanedContract.onTopic(vc);
  let dataDir: string;
  let writer: IndexWriterRuntime | undefined;

  const record = (imageId: string, seed: number, overrides: Partial<VectorCleaned> = {}): VectorCleaned =>
    sampleVectorCleaned({ imageId, modelVersion: '1.0.0', dim: DIM, vector: vectorToBytes(unit(seed)), status: 'UNIQUE', ...overrides });

  const start = (group: string): Promise<IndexWriterRuntime> =>
    startIndexWriter(
      loadConfig(indexWriterConfigSchema, {
        KAFKA_BROKERS: stack.brokers.join(','),
        KAFKA_GROUP_ID: group,
        KAFKA_RETRY_PROFILE: 'test',
        KAFKA_MAX_WAIT_MS: '100',
        SCHEMA_REGISTRY_URL: stack.registryUrl,
        INDEX_DATA_DIR: dataDir,
        INDEX_DIM: String(DIM),
        INDEX_SHARD_CAPACITY: '16',
        INDEX_SNAPSHOT_EVERY_OPS: '7',
        INDEX_SNAPSHOT_EVERY_MS: '200',
        INDEX_TOPIC_VECTOR_CLEANED: vc,
        INDEX_TOPIC_INDEX_UPDATED: iu,
      }),
      createLogger('index-writer-it'),
    );

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
    await createTopics([vc, `${vc}.dlq`], 2);
    await createTopics([iu], 1);
    await producer.connect();
  });

  afterAll(async () => {
    await writer?.stop();
    await producer.disconnect();
    await fs.rm(dataDir, { recursive: true, force: true });
  });

  it('ends with exactly the unique, non-deleted ids across a stop and restart; bad input is dead-lettered', async () => {
    // Phase 1: 30 uniques, 3 duplicates.
    await producer.sendBatch(contract, [
      ...Array.from({ length: 30 }, (_, i) => ({ key: `img-${i}`, value: record(`img-${i}`, i) })),
      ...[0, 1, 2].map((i) => ({ key: `dup-${i}`, value: record(`dup-${i}`, i, { status: 'EXACT_DUPLICATE', duplicateOf: `img-${i}`, similarity: 1 }) })),
    ]);
    writer = await start(uniqueName('it-iw-g1'));
    const first = writer;
    await waitFor(async () => (await first.service.imageIds()).length === 30, { timeoutMs: 60_000, what: '30 ids indexed' });
    await writer.stop();

    // Phase 2: 20 more uniques, tombstones, a replacement, a bad vector, an unknown model version.
    await producer.sendBatch(contract, [
      ...Array.from({ length: 20 }, (_, i) => ({ key: `img-${30 + i}`, value: record(`img-${30 + i}`, 30 + i) })),
      ...[0, 1, 2, 3, 4, 99].map((i) => ({ key: `img-${i}`, value: null })),
      { key: 'img-10', value: record('img-10', 1000) },
      { key: 'bad-nan', value: record('bad-nan', 0, { vector: vectorToBytes([Number.NaN, ...unit(1).slice(1)]) }) },
      { key: 'bad-model', value: record('bad-model', 5, { modelVersion: '9.9.9' }) },
      { key: 'img-50', value: record('img-50', 50) },
    ]);
    writer = await start(uniqueName('it-iw-g2'));
    const second = writer;
    const expected = Array.from({ length: 46 }, (_, i) => `img-${5 + i}`).sort();
    await waitFor(async () => JSON.stringify((await second.service.imageIds()).sort()) === JSON.stringify(expected), { timeoutMs: 60_000, what: 'expected id set' });
    await waitFor(async () => (await highWatermark(`${vc}.dlq`)) === 2, { timeoutMs: 30_000, what: 'two dead letters' });
    await writer.stop();
    writer = undefined;

    // A third start from the snapshot alone holds the same set, and the replacement is searchable at its new vector.
    const third = await start(uniqueName('it-iw-g3'));
    writer = third;
    expect((await third.service.imageIds()).sort()).toEqual(expected);
    expect((await third.service.search(unit(1000), 1))[0]?.imageId).toBe('img-10');
    expect(await highWatermark(iu)).toBeGreaterThan(0);
    expect(await highWatermark(`${vc}.dlq`)).toBe(2);
  });
});
