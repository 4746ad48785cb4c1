import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_HNSW_PARAMS } from './hnsw-params';
import type { IndexOp, ShardHostOptions } from './shard-host.port';
import { ShardWorkerPool } from './shard-worker.pool';
import { seededUnitVectors } from './test-vectors';

jest.setTimeout(60_000);

describe('ShardWorkerPool (real worker threads)', () => {
  let dir: string;
  let pool: ShardWorkerPool | undefined;
  const options = (dataDir: string): ShardHostOptions => ({
    dataDir,
    topic: 'vc',
    modelVersion: 'm1',
    params: { ...DEFAULT_HNSW_PARAMS, dim: 8, ef: 50 },
    capacity: 100,
    snapshotEveryOps: 1_000_000,
    snapshotEveryMs: 3_600_000,
    rebuildDeletedRatio: 0.2,
    exactFilterMax: 10,
  });

  beforeEach(async () => {
    dir = await fs.mkdtemp(join(tmpdir(), 'shard-pool-'));
  });
  afterEach(async () => {
    await pool?.close();
    pool = undefined;
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('tells its listener when a background snapshot lands in a worker, and the next snapshot call reports it', async () => {
    const [vector] = seededUnitVectors(1, 8, 5);
    const written: number[] = [];
    let landed: () => void = () => undefined;
    const once = new Promise<void>((resolve) => (landed = resolve));
    pool = new ShardWorkerPool(
      { ...options(dir), snapshotEveryOps: 1 },
      2,
      (err) => {
        throw err;
      },
      { snapshotWritten: (partition) => (written.push(partition), landed()) },
    );
    await pool.open(3);
    const applied = await pool.apply(3, [{ kind: 'upsert', offset: 0, imageId: 'a', vector }], [], true);
    expect(applied.snapshots).toEqual([]); // it runs in the background
    await once;
    expect(written).toEqual([3]);
    expect(await pool.snapshot(3, false)).toMatchObject([{ partition: 3, snapshotVersion: 1 }]);
  });

  it('spreads partitions over workers, merges queries, and reloads partitions from their snapshots', async () => {
    const data = seededUnitVectors(60, 8, 21);
    const first = new ShardWorkerPool(options(dir), 2, (err) => {
      throw err;
    });
    pool = first;
    const upserts = (partition: number): IndexOp[] =>
      data.flatMap((vector, i) => (i % 3 === partition ? [{ kind: 'upsert' as const, offset: i, imageId: `p${partition}-${i}`, vector }] : []));
    await Promise.all([0, 1, 2].map((p) => first.open(p)));
    const results = await Promise.all([0, 1, 2].map((p) => first.apply(p, upserts(p), [], true)));
    expect(results.map((r) => r.results.every((x) => x === 'added'))).toEqual([true, true, true]);
    expect((await pool.imageIds()).length).toBe(60);
    const [top] = (await pool.search({ vector: data[31], k: 5 })).hits;
    expect(top?.imageId).toBe('p1-31');
    expect(top?.score).toBeCloseTo(1, 4);
    expect((await pool.stats()).map((s) => s.partition)).toEqual([0, 1, 2]);
    expect(await pool.vectorOf('p2-32')).toHaveLength(8);
    expect(await pool.snapshot(1, true)).toMatchObject([{ partition: 1, snapshotVersion: 1 }]);
    await pool.release(1);
    expect((await pool.imageIds()).length).toBe(40);
    await pool.close();

    pool = new ShardWorkerPool(options(dir), 2, (err) => {
      throw err;
    });
    expect(await pool.open(1)).toMatchObject({ partition: 1, appliedOffset: 58, vectors: 20 });
    const replay = await pool.apply(1, upserts(1).slice(-2), [], false);
    expect(replay.results).toEqual(['already-applied', 'already-applied']);
  });
});
