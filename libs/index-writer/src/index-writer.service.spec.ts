import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { DEFAULT_HNSW_PARAMS, PartitionShardsHost, type ShardHostOptions, type ShardUpdate } from '@stylestream/index';
import type { ConsumedMessage } from '@stylestream/kafka';
import { sampleVectorCleaned, vectorToBytes, type VectorCleaned } from '@stylestream/schemas';
import { waitFor } from '@stylestream/test-support';
import { IndexWriterService } from './index-writer.service';
import { PartitionOwnership } from './partition-ownership';

const DIM = 4;
const logger = pino({ level: 'silent' });
const msg = (offset: number, imageId: string, v: number[] | null, overrides: Partial<VectorCleaned> = {}, partition = 0): ConsumedMessage<VectorCleaned> => {
  const base = { topic: 'vc', partition, headers: {}, timestamp: String(Date.now()), attempt: 1, offset: String(offset), key: imageId };
  return v === null
    ? { ...base, tombstone: true, value: null }
    : { ...base, tombstone: false, value: sampleVectorCleaned({ imageId, modelVersion: '1.0.0', dim: DIM, vector: vectorToBytes(v), status: 'UNIQUE', ...overrides }) };
};

describe('IndexWriterService', () => {
  let dir: string;
  let published: ShardUpdate[];
  const hostOptions = (overrides: Partial<ShardHostOptions> = {}): ShardHostOptions => ({
    dataDir: dir,
    topic: 'vc',
    modelVersion: '1.0.0',
    params: { ...DEFAULT_HNSW_PARAMS, dim: DIM },
    capacity: 3,
    snapshotEveryOps: 1000,
    snapshotEveryMs: 60_000,
    rebuildDeletedRatio: 0.5,
    exactFilterMax: 100,
    ...overrides,
  });
  const open = (overrides: Partial<ShardHostOptions> = {}, otherVersions?: 'dead-letter' | 'skip') => {
    const options = hostOptions(overrides);
    const host = new PartitionShardsHost(options);
    const ownership = new PartitionOwnership(host, options, logger);
    const service = new IndexWriterService({ host, ownership, modelVersion: '1.0.0', ...(otherVersions === undefined ? {} : { otherVersions }), dim: DIM, updates: { publish: (u) => Promise.resolve(void published.push(...u)) }, logger });
    return { host, ownership, service };
  };
  beforeEach(async () => {
    dir = await fs.mkdtemp(join(tmpdir(), 'iw-svc-'));
    published = [];
  });
  afterEach(() => fs.rm(dir, { recursive: true, force: true }));

  it('indexes UNIQUE, skips duplicates, deletes on tombstones, fails bad vectors with a reason', async () => {
    const { host, ownership, service } = open();
    ownership.onJoin([{ topic: 'vc', partitions: [0] }]);
    const outcomes = await service.applyBatch([
      msg(0, 'a', [1, 0, 0, 0]),
      msg(1, 'b', [0, 1, 0, 0], { status: 'NEAR_DUPLICATE', duplicateOf: 'a', similarity: 0.99 }),
      msg(2, 'c', [0, 0, 1, 0]),
      msg(3, 'c', null),
      msg(4, 'd', [0, 0, 0, 2]),
      msg(5, 'e', [0, 0, 1]),
      msg(6, 'f', [1, 0, 0, 0], { modelVersion: '2.0.0' }),
      msg(7, 'g', [Number.NaN, 0, 0, 1]),
      msg(8, 'h', [Number.POSITIVE_INFINITY, 0, 0, 0]),
      msg(9, 'i', [1, 0, 0, 0], { dim: 3 }),
    ]);
    expect(outcomes.map((o) => o.kind)).toEqual(['processed', 'skipped', 'processed', 'processed', 'failed', 'failed', 'failed', 'failed', 'failed', 'failed']);
    const codes = outcomes.flatMap((o) => (o.kind === 'failed' ? [(o.error as { code: string }).code] : []));
    expect(codes).toEqual(['VECTOR_NOT_NORMALISED', 'VECTOR_DIMENSION', 'UNKNOWN_MODEL_VERSION', 'VECTOR_NOT_FINITE', 'VECTOR_NOT_FINITE', 'VECTOR_DIMENSION']);
    expect(outcomes.every((o) => o.kind !== 'failed' || (o.error as { retriable: boolean }).retriable === false)).toBe(true);
    expect(await host.imageIds()).toEqual(['a']);
  });

  it('with otherVersions=skip, a record of another version is skipped (never indexed) and its offset counts as applied', async () => {
    const { host, ownership, service } = open({}, 'skip');
    ownership.onJoin([{ topic: 'vc', partitions: [0] }]);
    const outcomes = await service.applyBatch([msg(0, 'a', [1, 0, 0, 0]), msg(1, 'b', [0, 1, 0, 0], { modelVersion: '2.0.0' }), msg(2, 'c', [0, 0, 1, 0])]);
    expect(outcomes.map((o) => (o.kind === 'skipped' ? o.reason : o.kind))).toEqual(['processed', 'model version 2.0.0 is indexed by another writer', 'processed']);
    expect(await host.imageIds()).toEqual(['a', 'c']);
    await service.close();
    expect(published.at(-1)).toMatchObject({ partitions: [{ topic: 'vc', partition: 0, offset: 2 }] });
  });

  it('after close and reopen, seeks past the snapshot offsets and skips what it already applied', async () => {
    const first = open();
    first.ownership.onJoin([{ topic: 'vc', partitions: [0, 1] }]);
    await first.service.applyBatch([msg(0, 'a', [1, 0, 0, 0]), msg(1, 'b', [0, 1, 0, 0]), msg(2, 'bad', [0, 0, 0, 3])]);
    await first.service.close();
    expect(published.at(-1)).toMatchObject({ snapshotVersion: 1, partitions: [{ topic: 'vc', partition: 0, offset: 2 }], ops: { added: 2 } });

    const second = open();
    expect(second.ownership.onJoin([{ topic: 'vc', partitions: [0, 1] }])).toEqual([
      { topic: 'vc', partition: 0, offset: '3' },
      { topic: 'vc', partition: 1, offset: '0' },
    ]);
    const outcomes = await second.service.applyBatch([msg(1, 'b', null), msg(3, 'c', [0, 0, 1, 0])]);
    expect(outcomes.map((o) => o.kind)).toEqual(['skipped', 'processed']);
    expect((await second.host.imageIds()).sort()).toEqual(['a', 'b', 'c']);
  });

  it('a dead letter redelivered at the head of the next batch (its write failed) fails again instead of being skipped', async () => {
    const { ownership, service } = open();
    ownership.onJoin([{ topic: 'vc', partitions: [0] }]);
    const first = await service.applyBatch([msg(0, 'a', [1, 0, 0, 0]), msg(1, 'bad', [0, 0, 0, 3])]);
    expect(first.map((o) => o.kind)).toEqual(['processed', 'failed']);
    const again = await service.applyBatch([msg(1, 'bad', [0, 0, 0, 3]), msg(2, 'b', [0, 1, 0, 0])]);
    expect(again.map((o) => o.kind)).toEqual(['failed', 'processed']);
    const after = await service.applyBatch([msg(3, 'c', [0, 0, 1, 0])]);
    expect(after.map((o) => o.kind)).toEqual(['processed']);
  });

  it('snapshots by op count and reports sealed shards in index-updated', async () => {
    const { ownership, service } = open({ capacity: 2, snapshotEveryOps: 3 });
    ownership.onJoin([{ topic: 'vc', partitions: [0] }]);
    await service.applyBatch([msg(0, 'a', [1, 0, 0, 0]), msg(1, 'b', [0, 1, 0, 0]), msg(2, 'c', [0, 0, 1, 0])]);
    // The snapshot the batch started runs in the background; close waits for it (and has nothing left to write).
    await service.close();
    expect(published.map((u) => [u.shardId, u.sealed, u.vectorCount])).toEqual([
      ['1.0.0-vc-0-s00000', true, 2],
      ['1.0.0-vc-0-s00001', false, 1],
    ]);
  });

  it('a rebalance releases revoked partitions and loads newly assigned ones from their snapshots', async () => {
    const a = open();
    a.ownership.onJoin([{ topic: 'vc', partitions: [0, 1] }]);
    await a.service.applyBatch([msg(0, 'p0-a', [1, 0, 0, 0], {}, 0)]);
    await a.service.applyBatch([msg(0, 'p1-a', [0, 1, 0, 0], {}, 1)]);
    await a.service.close();
    expect(a.ownership.readiness()).toEqual({ ready: true });
    a.ownership.onJoin([{ topic: 'vc', partitions: [0] }]);
    await waitFor(async () => (await a.host.imageIds()).length === 1, { timeoutMs: 5000, intervalMs: 10, what: 'partition 1 released' });
    expect(await a.host.imageIds()).toEqual(['p0-a']);

    const b = open();
    expect(b.ownership.readiness()).toMatchObject({ ready: false });
    expect(b.ownership.onJoin([{ topic: 'vc', partitions: [1] }])).toEqual([{ topic: 'vc', partition: 1, offset: '1' }]);
    await b.ownership.slot(1).loaded;
    expect(b.ownership.readiness()).toEqual({ ready: true });
    expect(await b.host.imageIds()).toEqual(['p1-a']);
  });

  it('a partition revoked and assigned back at once is reloaded, not dropped by the late release', async () => {
    const first = open();
    first.ownership.onJoin([{ topic: 'vc', partitions: [0] }]);
    await first.service.applyBatch([msg(0, 'a', [1, 0, 0, 0])]);
    await first.service.close();
    // A batch still in flight when the partition is revoked delays the release behind it.
    const inFlight = first.service.applyBatch([msg(1, 'b', [0, 1, 0, 0])]);
    first.ownership.onJoin([]);
    first.ownership.onJoin([{ topic: 'vc', partitions: [0] }]);
    await inFlight;
    await first.ownership.slot(0).loaded;
    expect(await first.host.imageIds()).toEqual(['a']);
    expect(first.ownership.readiness()).toEqual({ ready: true });
  });
});
