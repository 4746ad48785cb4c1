import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_HNSW_PARAMS } from './hnsw-params';
import { PartitionShardsHost } from './partition-shards.host';
import type { IndexOp, ShardHostOptions } from './shard-host.port';
import { seededUnitVectors } from './test-vectors';

const DIM = 16;
const dot = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let s = 0;
  for (let i = 0; i < a.length; i += 1) s += (a[i] ?? 0) * (b[i] ?? 0);
  return s;
};

describe('PartitionShardsHost', () => {
  let dir: string;
  const options = (overrides: Partial<ShardHostOptions> = {}): ShardHostOptions => ({
    dataDir: dir,
    topic: 'vc',
    modelVersion: 'm1',
    params: { ...DEFAULT_HNSW_PARAMS, dim: DIM, ef: 64 },
    capacity: 400,
    snapshotEveryOps: 1_000_000,
    snapshotEveryMs: 3_600_000,
    rebuildDeletedRatio: 0.2,
    exactFilterMax: 50,
    ...overrides,
  });
  const data = seededUnitVectors(1000, DIM, 77);
  const upserts: IndexOp[] = data.map((vector, i) => ({ kind: 'upsert', offset: i, imageId: `img-${i}`, vector }));
  const exactTop = (q: Float32Array, k: number, allowed: (id: string) => boolean): string[] =>
    data
      .map((v, i) => ({ id: `img-${i}`, s: dot(q, v) }))
      .filter((x) => allowed(x.id))
      .sort((a, b) => b.s - a.s)
      .slice(0, k)
      .map((x) => x.id);

  beforeEach(async () => {
    dir = await fs.mkdtemp(join(tmpdir(), 'shard-host-'));
  });
  afterEach(() => fs.rm(dir, { recursive: true, force: true }));

  it('a stored vector finds itself first; k larger than ef works and returns every vector once', async () => {
    const host = new PartitionShardsHost(options());
    await host.open(0);
    await host.apply(0, upserts, [], false);
    const { hits, shards } = await host.search({ vector: data[123], k: 10 });
    expect(hits[0]).toMatchObject({ imageId: 'img-123' });
    expect(hits[0]?.score).toBeCloseTo(1, 4);
    expect(shards.reduce((n, s) => n + s.count, 0)).toBe(1000);
    const all = await host.search({ vector: data[5], k: 1000, ef: 10 });
    expect(new Set(all.hits.map((h) => h.imageId)).size).toBe(1000);
    expect(all.hits.every((h, i) => i === 0 || (all.hits[i - 1]?.score ?? 0) >= h.score)).toBe(true);
  });

  it('small filters are scored exactly (recall 1); large ones by filtered traversal return only allowed ids', async () => {
    const host = new PartitionShardsHost(options());
    await host.open(0);
    await host.apply(0, upserts, [], false);
    const q = seededUnitVectors(1, DIM, 5)[0];
    const small = ['img-1', 'img-50', 'img-999', 'img-400', 'missing'];
    const exact = await host.search({ vector: q, k: 3, filterIds: small });
    expect(exact.hits.map((h) => h.imageId)).toEqual(exactTop(q, 3, (id) => small.includes(id)));
    const large = data.map((_, i) => `img-${i}`).filter((_, i) => i % 4 === 0);
    const allowed = new Set(large);
    const filtered = await host.search({ vector: q, k: 20, filterIds: large, excludeIds: ['img-0'] });
    expect(filtered.hits).toHaveLength(20);
    expect(filtered.hits.every((h) => allowed.has(h.imageId) && h.imageId !== 'img-0')).toBe(true);
    const truth = new Set(exactTop(q, 20, (id) => allowed.has(id) && id !== 'img-0'));
    expect(filtered.hits.filter((h) => truth.has(h.imageId)).length).toBeGreaterThanOrEqual(18);
  });

  it('excludeIds never come back', async () => {
    const host = new PartitionShardsHost(options());
    await host.open(0);
    await host.apply(0, upserts.slice(0, 100), [], false);
    const { hits } = await host.search({ vector: data[7], k: 5, excludeIds: ['img-7'] });
    expect(hits.map((h) => h.imageId)).not.toContain('img-7');
    expect(hits).toHaveLength(5);
  });

  it('compacts a shard once its deleted share passes the ratio, keeping every live id searchable', async () => {
    const host = new PartitionShardsHost(options({ capacity: 100, snapshotEveryOps: 1 }));
    await host.open(0);
    await host.apply(0, upserts.slice(0, 250), [], false);
    const deletes: IndexOp[] = Array.from({ length: 30 }, (_, i) => ({ kind: 'delete', offset: 250 + i, imageId: `img-${i}` }));
    const before = (await host.stats())[0]?.shards.find((s) => s.shardId.endsWith('s00000'));
    expect(before).toMatchObject({ sealed: true, count: 100, deleted: 0 });
    const result = await host.apply(0, deletes, [], true);
    expect(result.compacted).toEqual(['m1-vc-0-s00000']);
    const after = (await host.stats())[0]?.shards.find((s) => s.shardId === 'm1-vc-0-s00000');
    expect(after).toMatchObject({ count: 70, deleted: 0 });
    const ids = new Set(await host.imageIds());
    expect(ids.size).toBe(220);
    expect(ids.has('img-3')).toBe(false);
    expect((await host.search({ vector: data[40], k: 1 })).hits[0]?.imageId).toBe('img-40');
    // The compaction is persisted by the next snapshot, and reloads.
    await host.snapshot(0, true);
    const reopened = new PartitionShardsHost(options({ capacity: 100 }));
    await reopened.open(0);
    expect((await reopened.stats())[0]?.shards.find((s) => s.shardId === 'm1-vc-0-s00000')).toMatchObject({ count: 70, deleted: 0 });
    expect(new Set(await reopened.imageIds())).toEqual(ids);
  });
});

describe('PartitionShards snapshot backoff', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await fs.mkdtemp(join(tmpdir(), 'shard-backoff-'));
  });
  afterEach(() => fs.rm(dir, { recursive: true, force: true }));

  it.each([
    [0, 2],
    [1_000_000, 1],
  ])('with backoff factor %d, two due snapshots in a row write %d', async (factor, expected) => {
    let clock = 0;
    const tick = (): number => (clock += 1);
    const host = new PartitionShardsHost(
      {
        dataDir: dir,
        topic: 'vc',
        modelVersion: 'm1',
        params: { ...DEFAULT_HNSW_PARAMS, dim: 4 },
        capacity: 10,
        snapshotEveryOps: 1,
        snapshotEveryMs: 3_600_000,
        snapshotBackoffFactor: factor,
        rebuildDeletedRatio: 0.2,
        exactFilterMax: 10,
      },
      tick,
    );
    await host.open(0);
    const [a, b] = seededUnitVectors(2, 4, 1) as [Float32Array, Float32Array];
    const first = await host.apply(0, [{ kind: 'upsert', offset: 0, imageId: 'a', vector: a }], [], true);
    const second = await host.apply(0, [{ kind: 'upsert', offset: 1, imageId: 'b', vector: b }], [], true);
    expect(first.snapshots.length + second.snapshots.length).toBe(expected);
    // A forced snapshot (graceful stop) ignores the backoff.
    expect((await host.snapshot(0, true))?.snapshotVersion ?? 2).toBe(2);
  });
});
