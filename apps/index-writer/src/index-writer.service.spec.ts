import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { DEFAULT_HNSW_PARAMS, ShardSnapshotStore } from '@stylestream/index';
import type { ConsumedMessage } from '@stylestream/kafka';
import { sampleVectorCleaned, vectorToBytes, type IndexUpdated, type VectorCleaned } from '@stylestream/schemas';
import { IndexWriterService } from './index-writer.service';

const DIM = 4;
const params = { ...DEFAULT_HNSW_PARAMS, dim: DIM };
const base = { topic: 'vc', partition: 0, headers: {}, timestamp: '0', attempt: 1 };
const msg = (offset: number, imageId: string, v: number[] | null, overrides: Partial<VectorCleaned> = {}): ConsumedMessage<VectorCleaned> =>
  v === null
    ? { ...base, offset: String(offset), key: imageId, tombstone: true, value: null }
    : { ...base, offset: String(offset), key: imageId, tombstone: false, value: sampleVectorCleaned({ imageId, modelVersion: '1.0.0', dim: DIM, vector: vectorToBytes(v), status: 'UNIQUE', ...overrides }) };

describe('IndexWriterService', () => {
  let dir: string;
  let published: IndexUpdated[];
  const open = async () => {
    const store = new ShardSnapshotStore(dir);
    const set = await store.load('1.0.0', params, 3);
    return new IndexWriterService({ set, store, updates: { publish: (u) => Promise.resolve(void published.push(...u)) }, policy: { everyOps: 1000, everyMs: 60_000 }, logger: pino({ level: 'silent' }) });
  };
  beforeEach(async () => {
    dir = await fs.mkdtemp(join(tmpdir(), 'iw-svc-'));
    published = [];
  });
  afterEach(() => fs.rm(dir, { recursive: true, force: true }));

  it('indexes UNIQUE, skips duplicates, deletes on tombstones, fails bad vectors with a reason', async () => {
    const svc = await open();
    const outcomes = await svc.applyBatch([
      msg(0, 'a', [1, 0, 0, 0]),
      msg(1, 'b', [0, 1, 0, 0], { status: 'NEAR_DUPLICATE', duplicateOf: 'a', similarity: 0.99 }),
      msg(2, 'c', [0, 0, 1, 0]),
      msg(3, 'c', null),
      msg(4, 'd', [0, 0, 0, 2]),
      msg(5, 'e', [0, 0, 1]),
      msg(6, 'f', [1, 0, 0, 0], { modelVersion: '2.0.0' }),
    ]);
    expect(outcomes.map((o) => o.kind)).toEqual(['processed', 'skipped', 'processed', 'processed', 'failed', 'failed', 'failed']);
    const codes = outcomes.flatMap((o) => (o.kind === 'failed' ? [(o.error as { code: string }).code] : []));
    expect(codes).toEqual(['VECTOR_NOT_NORMALISED', 'VECTOR_DIMENSION', 'UNKNOWN_MODEL_VERSION']);
    expect(await svc.imageIds()).toEqual(['a']);
  });

  it('after close and reopen, resumes after the snapshot offsets and skips what it already applied', async () => {
    const first = await open();
    await first.applyBatch([msg(0, 'a', [1, 0, 0, 0]), msg(1, 'b', [0, 1, 0, 0]), msg(2, 'bad', [0, 0, 0, 3])]);
    await first.close();
    expect(published.at(-1)).toMatchObject({ snapshotVersion: 1, partitions: [{ topic: 'vc', partition: 0, offset: 2 }], ops: { added: 2 } });

    const second = await open();
    expect(second.seekPositions([{ topic: 'vc', partitions: [0, 1] }])).toEqual([
      { topic: 'vc', partition: 0, offset: '3' },
      { topic: 'vc', partition: 1, offset: '0' },
    ]);
    const outcomes = await second.applyBatch([msg(1, 'b', null), msg(3, 'c', [0, 0, 1, 0])]);
    expect(outcomes.map((o) => o.kind)).toEqual(['skipped', 'processed']);
    expect((await second.imageIds()).sort()).toEqual(['a', 'b', 'c']);
  });

  it('snapshots by op count and reports sealed shards in index-updated', async () => {
    const store = new ShardSnapshotStore(dir);
    const set = await store.load('1.0.0', params, 2);
    const svc = new IndexWriterService({ set, store, updates: { publish: (u) => Promise.resolve(void published.push(...u)) }, policy: { everyOps: 3, everyMs: 60_000 }, logger: pino({ level: 'silent' }) });
    await svc.applyBatch([msg(0, 'a', [1, 0, 0, 0]), msg(1, 'b', [0, 1, 0, 0]), msg(2, 'c', [0, 0, 1, 0])]);
    expect(published.map((u) => [u.sealed, u.vectorCount])).toEqual([
      [true, 2],
      [false, 1],
    ]);
    expect((await store.readManifest('1.0.0'))?.snapshotVersion).toBe(1);
  });
});
