/**
 * Real: Kafka, schema registry, the dedupe runtime (state changelog on a
 * unique compacted topic). Two instances share one group over a 2-partition
 * input; the original and its duplicates are produced to DIFFERENT
 * partitions. Then both stop and a new instance restores the state from the
 * changelog alone, still detects a duplicate of an old image, and a
 * tombstone frees the content so a later copy is UNIQUE again.
 */
import { ConfigResourceTypes, Kafka, logLevel, type Consumer } from 'kafkajs';
import { loadConfig } from '@stylestream/config';
import { AvroProducer } from '@stylestream/kafka';
import { createLogger } from '@stylestream/logging';
import {
  SchemaRegistryGateway,
  deadLetterContractFor,
  sampleVectorExtracted,
  vectorCleanedContract,
  vectorExtractedContract,
  vectorToBytes,
  type DeadLetter,
  type VectorCleaned,
  type VectorExtracted,
} from '@stylestream/schemas';
import { createTopics, stack, uniqueName, waitFor } from '@stylestream/test-support';
import { dedupeConfigSchema } from './dedupe.config';
import { startDedupe, type DedupeRuntime } from './dedupe.runtime';

jest.setTimeout(180_000);

const DIM = 256;
/** A seeded L2-normalised 256-d vector; `noise` > 0 perturbs it slightly (cosine stays > 0.99 for noise 0.05). */
function unit(seed: number, noise = 0): number[] {
  const v = Array.from({ length: DIM }, (_, i) => Math.sin(seed * 12.9898 + i * 78.233) + noise * Math.cos(seed * 3.3 + i * 1.7));
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
}
const sha = (c: string): string => c.repeat(64);

describe('dedupe (integration)', () => {
  const kafka = new Kafka({ brokers: stack.brokers, clientId: 'dedupe-it', logLevel: logLevel.NOTHING });
  const codec = SchemaRegistryGateway.connect({ url: stack.registryUrl });
  const producer = new AvroProducer(kafka, codec, { retries: 3 });
  const ve = uniqueName('it-dd-ve');
  const vc = uniqueName('it-dd-vc');
  const stateTopic = uniqueName('it-dd-state');
  const group = uniqueName('it-dd-g');
  const input = vectorExtractedContract.onTopic(ve);
  const output = vectorCleanedContract.onTopic(vc);
  const outputs: { key: string; value: VectorCleaned | null }[] = [];
  const running: DedupeRuntime[] = [];
  let reader: Consumer | undefined;

  const start = async (): Promise<DedupeRuntime> => {
    const runtime = await startDedupe(
      loadConfig(dedupeConfigSchema, {
        KAFKA_BROKERS: stack.brokers.join(','),
        KAFKA_GROUP_ID: group,
        KAFKA_RETRY_PROFILE: 'test',
        KAFKA_MAX_WAIT_MS: '100',
        KAFKA_SESSION_TIMEOUT_MS: '6000',
        KAFKA_HEARTBEAT_INTERVAL_MS: '500',
        SCHEMA_REGISTRY_URL: stack.registryUrl,
        DEDUPE_STATE_TOPIC: stateTopic,
        DEDUPE_STATE_PARTITIONS: '2',
        DEDUPE_TOPIC_VECTOR_EXTRACTED: ve,
        DEDUPE_TOPIC_VECTOR_CLEANED: vc,
        // Pinned so calibration of the defaults does not change the expected verdicts (vector lookup stays on).
        DEDUPE_NEAR_RULE: 'phash-or-cosine',
        DEDUPE_PHASH_MAX_DISTANCE: '3',
        DEDUPE_COSINE_MIN: '0.97',
        DEDUPE_VECTOR_CANDIDATES: '10',
      }),
      createLogger('dedupe-it'),
    );
    running.push(runtime);
    return runtime;
  };

  const send = async (partition: number, imageId: string, value: Partial<VectorExtracted> | null): Promise<void> => {
    const bytes = value === null ? null : await codec.encode(input, sampleVectorExtracted({ imageId, dim: DIM, modelVersion: '1.0.0', ...value }));
    await producer.sendRaw(ve, [{ key: imageId, value: bytes, partition }]);
  };

  const latest = (imageId: string): { key: string; value: VectorCleaned | null } | undefined => outputs.filter((o) => o.key === imageId).at(-1);
  const waitOutput = (imageId: string, count = 1): Promise<{ key: string; value: VectorCleaned | null }> =>
    waitFor(() => outputs.filter((o) => o.key === imageId).length >= count && latest(imageId), { timeoutMs: 60_000, what: `output #${count} for ${imageId}` });

  beforeAll(async () => {
    await createTopics([ve, `${ve}.dlq`, vc], 2);
    await producer.connect();
    reader = kafka.consumer({ groupId: uniqueName('it-dd-reader'), maxWaitTimeInMs: 100 });
    await reader.connect();
    await reader.subscribe({ topics: [vc], fromBeginning: true });
    await reader.run({
      eachMessage: async ({ message }) => {
        const key = message.key?.toString('utf8') ?? '';
        outputs.push({ key, value: message.value === null ? null : (await codec.decode(message.value, output)).value });
      },
    });
  });

  afterAll(async () => {
    for (const r of running) await r.stop();
    await reader?.disconnect();
    await producer.disconnect();
  });

  it('finds cross-partition duplicates, restores its state after a restart, and frees content on a tombstone', async () => {
    const a = await start();
    // The runtime provisioned the changelog as a compacted topic.
    const admin = kafka.admin();
    await admin.connect();
    const described = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: stateTopic }] });
    await admin.disconnect();
    expect(described.resources[0]?.configEntries.find((e) => e.configName === 'cleanup.policy')?.configValue).toBe('compact');
    const b = await start();
    const original = { contentSha256: sha('1'), perceptualHash: '0123456789abcdef', cropHashes: ['13579bdf02468ace', '13579bdf02468acf'], vector: vectorToBytes(unit(1)) };

    await send(0, 'orig', original);
    expect((await waitOutput('orig')).value?.status).toBe('UNIQUE');
    // Both instances hold the original, whichever owns partition 0: the changelog is tailed by every instance.
    await waitFor(() => a.service.state.get('orig')?.status === 'UNIQUE' && b.service.state.get('orig')?.status === 'UNIQUE', { what: 'orig in both states' });

    await send(1, 'near-phash', { contentSha256: sha('2'), perceptualHash: '0123456789abcdec', vector: vectorToBytes(unit(50)) });
    await send(1, 'near-cosine', { contentSha256: sha('3'), perceptualHash: '0123ba9876543210', vector: vectorToBytes(unit(1, 0.05)) });
    await send(1, 'exact', { ...original, perceptualHash: 'ffffffffffffffff', vector: vectorToBytes(unit(77)) });
    await send(0, 'distinct', { contentSha256: sha('4'), perceptualHash: 'fedcba9876543210', vector: vectorToBytes(unit(9)) });

    expect((await waitOutput('near-phash')).value).toMatchObject({ status: 'NEAR_DUPLICATE', duplicateOf: 'orig' });
    const nearCosine = (await waitOutput('near-cosine')).value;
    expect(nearCosine).toMatchObject({ status: 'NEAR_DUPLICATE', duplicateOf: 'orig' });
    expect(nearCosine?.similarity).toBeGreaterThan(0.99);
    expect((await waitOutput('exact')).value).toMatchObject({ status: 'EXACT_DUPLICATE', duplicateOf: 'orig', similarity: 1 });
    expect((await waitOutput('distinct')).value).toMatchObject({ status: 'UNIQUE', duplicateOf: null });

    // Restart: both stop, a new instance restores the whole state from the changelog before consuming.
    await a.stop();
    await b.stop();
    const c = await start();
    expect(c.service.state.get('orig')?.status).toBe('UNIQUE');
    expect(c.service.state.get('exact')?.status).toBe('EXACT_DUPLICATE');
    expect(c.service.state.size).toBe(5);
    expect(c.service.state.get('orig')?.cropHashes).toEqual(['13579bdf02468ace', '13579bdf02468acf']);

    await send(1, 'near-late', { contentSha256: sha('6'), perceptualHash: '0123456789abcdee', vector: vectorToBytes(unit(1, 0.02)) });
    expect((await waitOutput('near-late')).value).toMatchObject({ status: 'NEAR_DUPLICATE', duplicateOf: 'orig' });
    // The restored state rebuilt its derived indexes: the crop-hash bands (this copy's full frame hashes like a
    // centre crop of the original: its first crop hash) and the vector graph (a pHash sharing no band).
    await send(1, 'near-crop-late', { contentSha256: sha('7'), perceptualHash: '13579bdf02468ace', cropHashes: [], vector: vectorToBytes(unit(1, 0.5)) });
    expect((await waitOutput('near-crop-late')).value).toMatchObject({ status: 'NEAR_DUPLICATE', duplicateOf: 'orig' });
    await send(1, 'near-vector-late', { contentSha256: sha('8'), perceptualHash: '5a5a5a5a5a5a5a5a', cropHashes: [], vector: vectorToBytes(unit(1, 0.03)) });
    expect((await waitOutput('near-vector-late')).value).toMatchObject({ status: 'NEAR_DUPLICATE', duplicateOf: 'orig' });
    // Re-sending an id with the same content gives the decision it got before (never a duplicate of itself).
    await send(0, 'orig', original);
    expect((await waitOutput('orig', 2)).value).toMatchObject({ status: 'UNIQUE', duplicateOf: null });

    // Tombstone: removed from state and passed on; a later copy of the same content is UNIQUE again.
    await send(0, 'orig', null);
    expect((await waitOutput('orig', 3)).value).toBeNull();
    await waitFor(() => c.service.state.get('orig') === undefined, { what: 'orig removed' });
    await send(1, 'copy-after-takedown', { ...original });
    expect((await waitOutput('copy-after-takedown')).value).toMatchObject({ status: 'UNIQUE', duplicateOf: null });
  });

  it('dead-letters bad vectors with a reason and goes on', async () => {
    if (running.length === 0) await start();
    const dead: DeadLetter[] = [];
    const dlqReader = kafka.consumer({ groupId: uniqueName('it-dd-dlq'), maxWaitTimeInMs: 100 });
    await dlqReader.connect();
    await dlqReader.subscribe({ topics: [`${ve}.dlq`], fromBeginning: true });
    await dlqReader.run({
      eachMessage: async ({ message }) => {
        if (message.value !== null) dead.push((await codec.decode(message.value, deadLetterContractFor(ve))).value);
      },
    });
    try {
      const good = { contentSha256: sha('a'), perceptualHash: 'a1b2c3d4e5f60718' };
      const notNormalised = unit(301).map((x) => x * 1.5);
      const cases: [string, Partial<VectorExtracted>, string][] = [
        ['bad-nan', { ...good, vector: vectorToBytes(unit(302).map((x, i) => (i === 7 ? Number.NaN : x))) }, 'VECTOR_NOT_FINITE'],
        ['bad-inf', { ...good, vector: vectorToBytes(unit(303).map((x, i) => (i === 0 ? Number.NEGATIVE_INFINITY : x))) }, 'VECTOR_NOT_FINITE'],
        ['bad-dim', { ...good, dim: 128, vector: vectorToBytes(unit(304).slice(0, 128)) }, 'VECTOR_DIM_MISMATCH'],
        ['bad-version', { ...good, modelVersion: '7.7.7', vector: vectorToBytes(unit(305)) }, 'MODEL_VERSION_UNKNOWN'],
        ['bad-norm', { ...good, vector: vectorToBytes(notNormalised) }, 'VECTOR_NOT_NORMALISED'],
      ];
      for (const [id, value] of cases) await send(0, id, value);
      // unit(seed) vectors of different seeds are phase-shifted copies of one sinusoid (often cosine > 0.97);
      // the mixed-in second wave keeps this one far from every canonical the vector lookup proposes.
      await send(0, 'good-after-bad', { ...good, vector: vectorToBytes(unit(306, 3)) });
      expect((await waitOutput('good-after-bad')).value).toMatchObject({ status: 'UNIQUE' });
      await waitFor(() => dead.length >= cases.length, { timeoutMs: 60_000, what: `${cases.length} dead letters` });
      const byKey = new Map(dead.map((d) => [d.key?.toString('utf8'), d]));
      for (const [id, , code] of cases) {
        expect({ id, errorClass: byKey.get(id)?.errorClass, stage: byKey.get(id)?.stage, retriable: byKey.get(id)?.retriable }).toEqual({ id, errorClass: code, stage: 'dedupe', retriable: false });
        expect(byKey.get(id)?.reason.length).toBeGreaterThan(10);
      }
      expect(outputs.filter((o) => o.key.startsWith('bad-'))).toEqual([]);
    } finally {
      await dlqReader.disconnect();
    }
  });
});
