/**
 * Reliability: vector-extracted → dedupe (child process) → vector-cleaned →
 * index-writer (child process), both on unique topics, groups and data dirs,
 * while each app is killed with SIGKILL at random points of the run and
 * restarted. Input: generated 256-d vectors — originals, then (once the
 * dedupe stage has committed every original) exact duplicates (same sha256),
 * near duplicates (1 pHash bit off, vector perturbed), re-sends of originals
 * and tombstones of originals, shuffled. At the end the ids enumerated from
 * the writer (GET /v1/ids) equal the originals that were not deleted, exactly,
 * and the last vector-cleaned decision of every id is the expected one.
 *
 * Size: RELIABILITY_VECTORS (records, default 3000) and RELIABILITY_KILLS
 * (kills per app, default 2); the full run is RELIABILITY_VECTORS=200000
 * RELIABILITY_KILLS=5. RELIABILITY_DEDUPE_BATCH sets DEDUPE_BATCH_MAX_MESSAGES
 * (default: the app's). Needs the compiled apps (`npm run build`).
 */
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { AvroProducer, consumerLag } from '@stylestream/kafka';
import { SchemaRegistryGateway, vectorCleanedContract, vectorExtractedContract, type VectorCleaned, type VectorExtracted } from '@stylestream/schemas';
import { createTopics, stack, uniqueName, waitFor } from '@stylestream/test-support';
import { generateVectors } from '../../bench/support/clustered-vectors';
import { AppProcess, builtApp, fastKafkaEnv, freePort } from '../../bench/support/index-app-process';
import { extractedRecord, sha256Hex } from '../../bench/support/index-feed';
import { IndexWriterClient } from '../../bench/support/index-writer.client';

const VECTORS = Number(process.env.RELIABILITY_VECTORS ?? 3_000);
const KILLS = Number(process.env.RELIABILITY_KILLS ?? 2);
const SEED = Number(process.env.RELIABILITY_SEED ?? Date.now() % 1_000_000);
const DIM = 256;
/** vector-cleaned partitions (the writer's shards follow them). */
const PARTITIONS = 4;
/** vector-extracted partitions: dedupe classifies each partition's records in batches (two acknowledged writes per batch); partitions run concurrently. */
const INPUT_PARTITIONS = 16;
// Generous: on a loaded 2-core machine both apps share a fraction of a core, and each dedupe restart re-reads the whole changelog.
jest.setTimeout(Number(process.env.RELIABILITY_TIMEOUT_MS ?? Math.max(1_200_000, VECTORS * 60)));

type Expected = 'UNIQUE' | 'EXACT_DUPLICATE' | 'NEAR_DUPLICATE' | 'DELETED';
interface Plan {
  readonly originals: { id: string; row: number; sha: string; phash: string }[];
  /** Phase-2 records in production order: a value, or null for a tombstone. */
  readonly second: { id: string; value: VectorExtracted | null }[];
  readonly expected: Map<string, Expected>;
}

/** mulberry32 */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function buildPlan(vectors: Float32Array, nOriginals: number, total: number, seed: number): Plan {
  const random = rng(seed);
  const hex16 = (): string => Array.from({ length: 4 }, () => Math.floor(random() * 65536).toString(16).padStart(4, '0')).join('');
  const rowOf = (r: number): Float32Array => vectors.subarray(r * DIM, (r + 1) * DIM);
  const originals = Array.from({ length: nOriginals }, (_, row) => ({ id: `orig-${row}`, row, sha: sha256Hex(`orig-${row}-${seed}`), phash: hex16() }));
  const expected = new Map<string, Expected>(originals.map((o) => [o.id, 'UNIQUE']));
  // Disjoint roles among originals: deleted ones never have duplicates (their order against a duplicate in another partition would decide the verdict).
  const order = originals.map((_, i) => i).sort(() => random() - 0.5);
  const rest = total - nOriginals;
  const nTomb = Math.floor(rest * 0.2);
  const nResend = Math.floor(rest * 0.1);
  const nExact = Math.floor((rest - nTomb - nResend) / 2);
  const nNear = rest - nTomb - nResend - nExact;
  const tombs = order.slice(0, nTomb);
  const sources = order.slice(nTomb);
  const pick = (): (typeof originals)[number] => originals[sources[Math.floor(random() * sources.length)] ?? 0] ?? originals[0];
  const second: Plan['second'] = [];
  for (const i of tombs) {
    const o = originals[i];
    second.push({ id: o.id, value: null });
    expected.set(o.id, 'DELETED');
  }
  for (let i = 0; i < nResend; i++) {
    const o = pick();
    second.push({ id: o.id, value: extractedRecord(o.id, rowOf(o.row), o.sha, o.phash) });
  }
  for (let i = 0; i < nExact; i++) {
    const o = pick();
    const id = `exact-${i}`;
    second.push({ id, value: extractedRecord(id, rowOf(o.row), o.sha, o.phash) });
    expected.set(id, 'EXACT_DUPLICATE');
  }
  for (let i = 0; i < nNear; i++) {
    const o = pick();
    const id = `near-${i}`;
    const v = Float32Array.from(rowOf(o.row), (x) => x + (random() - 0.5) * 0.01);
    const norm = Math.hypot(...v);
    const bit = Math.floor(random() * 16);
    const flipped = `${o.phash.slice(0, 12)}${(parseInt(o.phash.slice(12), 16) ^ (1 << bit)).toString(16).padStart(4, '0')}`;
    second.push({ id, value: extractedRecord(id, v.map((x) => x / norm), sha256Hex(`${id}-${seed}`), flipped) });
    expected.set(id, 'NEAR_DUPLICATE');
  }
  second.sort(() => random() - 0.5);
  return { originals, second, expected };
}

describe('reliability: dedupe + index-writer under kill -9', () => {
  const kafka = new Kafka({ brokers: stack.brokers, clientId: 'reliability-it', logLevel: logLevel.NOTHING });
  const codec = SchemaRegistryGateway.connect({ url: stack.registryUrl });
  const producer = new AvroProducer(kafka, codec, { retries: 5 });
  let dir = '';
  const apps: AppProcess[] = [];

  beforeAll(async () => {
    dir = await fs.mkdtemp(join(tmpdir(), 'reliability-'));
    await producer.connect();
  });

  afterAll(async () => {
    await Promise.all(apps.map((a) => a.close()));
    await producer.disconnect();
    if (process.env.RELIABILITY_KEEP !== '1') await fs.rm(dir, { recursive: true, force: true });
  });

  it(`indexes exactly the unique, non-deleted ids of ${VECTORS} records with ${KILLS} kill -9 of each app`, async () => {
    const ve = uniqueName('rel-ve');
    const vc = uniqueName('rel-vc');
    const iu = uniqueName('rel-iu');
    const dedupeGroup = uniqueName('rel-dd');
    const writerGroup = uniqueName('rel-iw');
    await createTopicsPatiently([ve, `${ve}.dlq`], INPUT_PARTITIONS);
    await createTopicsPatiently([vc, `${vc}.dlq`], PARTITIONS);
    await createTopicsPatiently([iu], 1);
    const nOriginals = Math.round(VECTORS * 0.8);
    const vectors = generateVectors({ n: nOriginals, seed: SEED, latentDim: 16, noise: 0.5 });
    const plan = buildPlan(vectors, nOriginals, VECTORS, SEED);

    const [dedupePort, writerPort] = [await freePort(), await freePort()];
    const base = fastKafkaEnv(stack.brokers, stack.registryUrl);
    const dedupe = new AppProcess(
      'dedupe',
      builtApp('dedupe'),
      {
        ...base,
        KAFKA_GROUP_ID: dedupeGroup,
        KAFKA_PARTITIONS_CONCURRENCY: String(INPUT_PARTITIONS),
        DEDUPE_STATE_TOPIC: uniqueName('rel-dd-state'),
        DEDUPE_STATE_PARTITIONS: String(PARTITIONS),
        DEDUPE_TOPIC_VECTOR_EXTRACTED: ve,
        DEDUPE_TOPIC_VECTOR_CLEANED: vc,
        DEDUPE_HTTP_PORT: String(dedupePort),
        // pinned here so that the expected verdicts do not follow calibration of the defaults
        DEDUPE_PHASH_MAX_DISTANCE: '3',
        DEDUPE_COSINE_MIN: '0.97',
        DEDUPE_NEAR_RULE: 'phash-or-cosine',
        DEDUPE_MODELS: `1.0.0=${DIM}`,
        // cheap vector-candidate graph (rebuilt from the changelog at every restart); restores of a large state under load take minutes
        DEDUPE_HNSW_M: '8',
        DEDUPE_HNSW_EF_CONSTRUCTION: '40',
        DEDUPE_RESTORE_TIMEOUT_MS: '1800000',
        ...(process.env.RELIABILITY_DEDUPE_BATCH === undefined ? {} : { DEDUPE_BATCH_MAX_MESSAGES: process.env.RELIABILITY_DEDUPE_BATCH }),
      },
      join(dir, 'dedupe.log'),
    );
    const writer = new AppProcess(
      'index-writer',
      builtApp('index-writer'),
      {
        ...base,
        KAFKA_GROUP_ID: writerGroup,
        INDEX_DATA_DIR: join(dir, 'index'),
        INDEX_DIM: String(DIM),
        // cheap graphs: this test is about which ids survive, not about recall
        INDEX_M: '8',
        INDEX_EF_CONSTRUCTION: '40',
        INDEX_SHARD_CAPACITY: String(Math.max(500, Math.ceil(nOriginals / PARTITIONS / 3))),
        INDEX_SNAPSHOT_EVERY_OPS: String(Math.max(500, Math.floor(VECTORS / 40))),
        INDEX_SNAPSHOT_EVERY_MS: '1000',
        INDEX_REBUILD_DELETED_RATIO: '0.05',
        INDEX_HTTP_PORT: String(writerPort),
        INDEX_TOPIC_VECTOR_CLEANED: vc,
        INDEX_TOPIC_INDEX_UPDATED: iu,
      },
      join(dir, 'index-writer.log'),
    );
    apps.push(dedupe, writer);
    const writerClient = new IndexWriterClient(`http://127.0.0.1:${writerPort}`);
    const dedupeReady = async (): Promise<boolean> => (await fetch(`http://127.0.0.1:${dedupePort}/readyz`).catch(() => undefined))?.status === 200;
    const ready = (app: AppProcess): Promise<boolean> => (app === dedupe ? dedupeReady() : writerClient.ready());
    const failWith = (what: string) => (err: unknown) => {
      throw new Error(`${what}: ${err instanceof Error ? err.message : String(err)}\n--- dedupe log\n${dedupe.tail()}\n--- index-writer log\n${writer.tail()}`);
    };

    dedupe.start();
    writer.start();
    await waitFor(async () => (await dedupeReady()) && (await writerClient.ready()), { timeoutMs: 120_000, what: 'both apps ready' }).catch(failWith('start'));

    // Kill schedule: progress thresholds of the dedupe output (records on vector-cleaned / records fed), random per run.
    const random = rng(SEED ^ 0x5a5a);
    const events = [...Array.from({ length: KILLS }, () => ({ app: dedupe, at: 0.05 + random() * 0.85 })), ...Array.from({ length: KILLS }, () => ({ app: writer, at: 0.05 + random() * 0.85 }))].sort((a, b) => a.at - b.at);
    const kills = new Map<string, number>([
      ['dedupe', 0],
      ['index-writer', 0],
    ]);
    const admin = kafka.admin();
    await admin.connect();
    const outputRecords = async (): Promise<number> => (await admin.fetchTopicOffsets(vc)).reduce((s, p) => s + Number(p.high), 0);
    let feeding = true;
    const chaos = (async (): Promise<void> => {
      for (const event of events) {
        await waitFor(async () => !feeding || (await outputRecords()) >= event.at * VECTORS, { timeoutMs: 3_600_000, intervalMs: 50, what: `progress ${event.at.toFixed(2)}` });
        if (!feeding) return;
        await event.app.kill9();
        kills.set(event.app.name, (kills.get(event.app.name) ?? 0) + 1);
        event.app.start();
        await waitFor(() => ready(event.app), { timeoutMs: 600_000, intervalMs: 200, what: `${event.app.name} ready after kill -9` });
      }
    })();

    try {
      // Phase 1: the originals.
      const input = vectorExtractedContract.onTopic(ve);
      for (let start = 0; start < plan.originals.length; start += 500) {
        await producer.sendBatch(
          input,
          plan.originals.slice(start, start + 500).map((o) => ({ key: o.id, value: extractedRecord(o.id, vectors.subarray(o.row * DIM, (o.row + 1) * DIM), o.sha, o.phash) })),
        );
      }
      await waitFor(async () => (await consumerLag(kafka, dedupeGroup, [ve])) === 0, { timeoutMs: 3_600_000, intervalMs: 500, what: 'dedupe committed every original' }).catch(failWith('phase 1'));
      // Phase 2: duplicates, re-sends and tombstones, shuffled.
      for (let start = 0; start < plan.second.length; start += 500) {
        await producer.sendBatch(input, plan.second.slice(start, start + 500).map((r) => ({ key: r.id, value: r.value })));
      }
      await waitFor(async () => (await consumerLag(kafka, dedupeGroup, [ve])) === 0, { timeoutMs: 3_600_000, intervalMs: 500, what: 'dedupe committed every record' }).catch(failWith('phase 2'));
      // Let the remaining kills happen (thresholds are below the final output count).
      await chaos.catch(failWith('kill schedule'));
      await waitFor(async () => (await consumerLag(kafka, dedupeGroup, [ve])) === 0 && (await consumerLag(kafka, writerGroup, [vc])) === 0, {
        timeoutMs: 3_600_000,
        intervalMs: 500,
        what: 'both apps caught up',
      }).catch(failWith('catch-up'));
    } finally {
      feeding = false;
      await chaos.catch(() => undefined);
      await admin.disconnect();
    }
    expect(Object.fromEntries(kills)).toEqual({ dedupe: KILLS, 'index-writer': KILLS });

    // The index: exactly the originals that were not deleted.
    const want = new Set([...plan.expected].filter(([, s]) => s === 'UNIQUE').map(([id]) => id));
    await waitFor(async () => (await writerClient.count()) === want.size, { timeoutMs: 120_000, what: `${want.size} live vectors` }).catch(() => undefined);
    const got = new Set(await writerClient.ids());
    const missing = [...want].filter((id) => !got.has(id));
    const extra = [...got].filter((id) => !want.has(id));
    process.stderr.write(
      `reliability: ${VECTORS} records (${plan.originals.length} originals, ${plan.second.length} later records), seed ${SEED}, kills ${JSON.stringify(Object.fromEntries(kills))}; index holds ${got.size}, expected ${want.size}, missing ${missing.length}, extra ${extra.length}\n`,
    );
    expect({ missing: missing.slice(0, 20), extra: extra.slice(0, 20), missingCount: missing.length, extraCount: extra.length }).toEqual({ missing: [], extra: [], missingCount: 0, extraCount: 0 });

    // The decisions: the last vector-cleaned record of every id.
    const last = await readLastDecisions(kafka, codec, vc, plan.expected.size);
    const wrong = [...plan.expected].filter(([id, status]) => (status === 'DELETED' ? last.get(id) !== null : last.get(id)?.status !== status));
    expect(wrong.slice(0, 20).map(([id, status]) => ({ id, expected: status, got: last.get(id)?.status ?? last.get(id) }))).toEqual([]);
  });
});

/**
 * createTopics, retried while a loaded broker still answers "does not host this topic-partition"
 * for a topic it has just created (metadata not yet propagated when the leaders are awaited);
 * creating an existing topic again is a no-op.
 */
async function createTopicsPatiently(topics: readonly string[], partitions: number): Promise<void> {
  // waitFor retries a probe that throws until its deadline (and reports the last error).
  await waitFor(
    async () => {
      await createTopics(topics, partitions);
      return true;
    },
    { timeoutMs: 120_000, intervalMs: 1_000, what: `topics ${topics.join(', ')} created with leaders` },
  );
}

/** Reads vector-cleaned from the beginning and keeps the last value (null = tombstone) per key. */
async function readLastDecisions(kafka: Kafka, codec: SchemaRegistryGateway, topic: string, keys: number): Promise<Map<string, VectorCleaned | null>> {
  const admin = kafka.admin();
  await admin.connect();
  const ends = new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, Number(p.high)]));
  await admin.disconnect();
  const contract = vectorCleanedContract.onTopic(topic);
  const last = new Map<string, VectorCleaned | null>();
  const reached = new Map<number, number>();
  const consumer = kafka.consumer({ groupId: uniqueName('rel-reader') });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachBatch: async ({ batch }) => {
      for (const m of batch.messages) {
        const key = m.key?.toString() ?? '';
        last.set(key, m.value === null ? null : (await codec.decode(m.value, contract)).value);
        reached.set(batch.partition, Number(m.offset) + 1);
      }
    },
  });
  await waitFor(() => [...ends].every(([p, end]) => (reached.get(p) ?? 0) >= end), { timeoutMs: 600_000, what: `vector-cleaned read to its end (${keys} keys)` });
  await consumer.disconnect();
  return last;
}
