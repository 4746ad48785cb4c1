import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_HNSW_PARAMS } from './hnsw-params';
import { PartitionShards } from './partition-shards';
import { PartitionShardsHost } from './partition-shards.host';
import type { IndexOp, ShardHostOptions } from './shard-host.port';
import { seededUnitVectors } from './test-vectors';

const DIM = 16;
const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
const dot = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let s = 0;
  for (let i = 0; i < a.length; i += 1) s += (a[i] ?? 0) * (b[i] ?? 0);
  return s;
};

const hostOptions = (dataDir: string, overrides: Partial<ShardHostOptions> = {}): ShardHostOptions => ({
  dataDir,
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

describe('PartitionShardsHost', () => {
  let dir: string;
  const options = (overrides: Partial<ShardHostOptions> = {}): ShardHostOptions => hostOptions(dir, overrides);
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

  it('tells its listener when a background snapshot is on disk; the next snapshot call returns its report', async () => {
    const written: number[] = [];
    let landed: () => void = () => undefined;
    const once = new Promise<void>((resolve) => (landed = resolve));
    const host = new PartitionShardsHost(options({ snapshotEveryOps: 1 }), Date.now, { snapshotWritten: (partition) => (written.push(partition), landed()) });
    await host.open(2);
    const applied = await host.apply(2, upserts.slice(0, 3), [], true);
    expect(applied.snapshots).toEqual([]); // started in the background
    await once;
    expect(written).toEqual([2]);
    expect(await host.snapshot(2, false)).toMatchObject([{ partition: 2, snapshotVersion: 1 }]);
    await host.close();
  });

  it('compacts a shard once its deleted share passes the ratio, keeping every live id searchable', async () => {
    const host = new PartitionShardsHost(options({ capacity: 100, snapshotEveryOps: 1 }));
    await host.open(0);
    await host.apply(0, upserts.slice(0, 250), [], false);
    const deletes: IndexOp[] = Array.from({ length: 30 }, (_, i) => ({ kind: 'delete', offset: 250 + i, imageId: `img-${i}` }));
    const before = (await host.stats())[0]?.shards.find((s) => s.shardId.endsWith('s00000'));
    expect(before).toMatchObject({ sealed: true, count: 100, deleted: 0 });
    await host.apply(0, deletes, [], true);
    // The snapshot and the compaction after it run in the background; a forced snapshot waits for both
    // and persists the compaction; the next apply reports it.
    await host.snapshot(0, true);
    expect((await host.apply(0, [], [], false)).compacted).toEqual(['m1-vc-0-s00000']);
    const after = (await host.stats())[0]?.shards.find((s) => s.shardId === 'm1-vc-0-s00000');
    expect(after).toMatchObject({ count: 70, deleted: 0 });
    const ids = new Set(await host.imageIds());
    expect(ids.size).toBe(220);
    expect(ids.has('img-3')).toBe(false);
    expect((await host.search({ vector: data[40], k: 1 })).hits[0]?.imageId).toBe('img-40');
    const reopened = new PartitionShardsHost(options({ capacity: 100 }));
    await reopened.open(0);
    expect((await reopened.stats())[0]?.shards.find((s) => s.shardId === 'm1-vc-0-s00000')).toMatchObject({ count: 70, deleted: 0 });
    expect(new Set(await reopened.imageIds())).toEqual(ids);
  });
});

describe('PartitionShards background snapshots', () => {
  let dir: string;
  const settings = (overrides: Partial<ShardHostOptions> = {}): ShardHostOptions => hostOptions(dir, { capacity: 1000, snapshotEveryOps: 1, rebuildDeletedRatio: 0.9, exactFilterMax: 10, ...overrides });
  const data = seededUnitVectors(300, DIM, 31);
  const upsert = (i: number, offset = i): IndexOp => ({ kind: 'upsert', offset, imageId: `img-${i}`, vector: data[i] });
  beforeEach(async () => {
    dir = await fs.mkdtemp(join(tmpdir(), 'shard-bg-'));
  });
  afterEach(() => fs.rm(dir, { recursive: true, force: true }));

  it.each([
    [0, 2],
    [1_000_000, 1],
  ])('with backoff factor %d, two due snapshots in a row write %d', async (factor, expected) => {
    let clock = 0;
    const tick = (): number => (clock += 1);
    const p = await PartitionShards.open(settings({ snapshotBackoffFactor: factor }), 0, tick);
    const first = await p.apply([upsert(0)], [], true, nextTurn);
    await p.idle();
    const second = await p.apply([upsert(1)], [], true, nextTurn);
    await p.idle();
    const reports = [...first.snapshots, ...second.snapshots, ...(await p.flush(false, nextTurn))];
    expect(reports).toHaveLength(expected);
    // A forced snapshot (graceful stop) ignores the backoff.
    expect((await p.flush(true, nextTurn)).at(-1)?.snapshotVersion ?? 2).toBe(2);
  });

  it('ops arriving during a snapshot are searchable at once, stay out of it, and reach the graph after', async () => {
    const p = await PartitionShards.open(settings(), 0);
    const before = await p.apply(
      data.slice(0, 200).map((_, i) => upsert(i)),
      [],
      true,
      nextTurn,
    );
    expect(before.snapshots).toEqual([]);
    // The snapshot of offsets 0..199 now runs: these queue behind it.
    const during = await p.apply(
      [
        upsert(200),
        upsert(201),
        { kind: 'delete', offset: 202, imageId: 'img-5' },
        { kind: 'upsert', offset: 203, imageId: 'img-6', vector: data[250] },
        { kind: 'delete', offset: 204, imageId: 'never-indexed' },
        upsert(201, 205),
      ],
      [],
      false,
      nextTurn,
    );
    expect(during.results).toEqual(['added', 'added', 'deleted', 'replaced', 'absent', 'replaced']);
    expect(p.pendingOps).toBe(6);
    expect(p.appliedOffset).toBe(205);
    const top = (v: Float32Array, k = 1): string[] => p.search(v, k, undefined, undefined).map((h) => h.imageId);
    expect(top(data[200])).toEqual(['img-200']);
    expect(top(data[250])).toEqual(['img-6']);
    expect(top(data[5], 300)).not.toContain('img-5');
    expect(top(data[6], 300).filter((id) => id === 'img-6')).toHaveLength(1);
    expect(p.vectorOf('img-6')).toEqual(Array.from(data[250]));
    expect(p.vectorOf('img-5')).toBeUndefined();
    expect(p.search(data[200], 3, undefined, { allow: new Set(['img-200', 'img-7']), exactMax: 10 }).map((h) => h.imageId)).toEqual(['img-200', 'img-7']);
    const ids = new Set(p.imageIds());
    expect(ids.size).toBe(201);
    expect(ids.has('img-5')).toBe(false);

    await p.idle();
    // On disk: only what the graph held when the snapshot began (a crash now replays 200..205).
    const fromDisk = await PartitionShards.open(settings(), 0);
    expect(fromDisk.appliedOffset).toBe(199);
    expect(fromDisk.imageIds()).toHaveLength(200);

    p.drain(1000);
    expect(p.pendingOps).toBe(0);
    expect(p.appliedOffset).toBe(205);
    expect(new Set(p.imageIds())).toEqual(ids);
    expect(top(data[250])).toEqual(['img-6']);
    const reports = await p.flush(true, nextTurn);
    expect(reports.map((r) => r.snapshotVersion)).toEqual([1, 2]);
    const reopened = await PartitionShards.open(settings(), 0);
    expect(reopened.appliedOffset).toBe(205);
    expect(new Set(reopened.imageIds())).toEqual(ids);
  });

  it('with too many ops queued, an apply waits for the snapshot and applies the queue first', async () => {
    const p = await PartitionShards.open(settings({ maxPendingOps: 10 }), 0);
    await p.apply([upsert(0)], [], true, nextTurn);
    const queued = await p.apply(
      data.slice(1, 9).map((_, i) => upsert(i + 1)),
      [],
      false,
      nextTurn,
    );
    expect(queued.inserts).toBe(0);
    expect(p.pendingOps).toBe(8);
    const next = await p.apply(
      data.slice(9, 14).map((_, i) => upsert(i + 9)),
      [],
      false,
      nextTurn,
    );
    expect(next.results.every((r) => r === 'added')).toBe(true);
    expect(next.inserts).toBe(13);
    expect(p.pendingOps).toBe(0);
    expect(p.imageIds()).toHaveLength(14);
  });
});
