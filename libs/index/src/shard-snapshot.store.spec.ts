import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_HNSW_PARAMS, type HnswParams } from './hnsw-params';
import { ShardSet } from './shard-set';
import { MANIFEST_FILE, ShardSnapshotStore, type ShardManifest, type SnapshotManifest } from './shard-snapshot.store';
import { seededUnitVectors } from './test-vectors';

const params: HnswParams = { ...DEFAULT_HNSW_PARAMS, dim: 8, ef: 40 };
const MODEL = 'm1';

describe('ShardSet + ShardSnapshotStore', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await fs.mkdtemp(join(tmpdir(), 'index-snap-'));
  });
  afterEach(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('seals the growing shard at capacity and opens a new one; upsert of a sealed id moves it', () => {
    const vs = seededUnitVectors(6, params.dim, 2);
    const set = ShardSet.empty(MODEL, params, 2);
    vs.slice(0, 5).forEach((v, i) => set.upsert(`i${i}`, v));
    expect(set.sealed.map((s) => s.size)).toEqual([2, 2]);
    expect(set.growing.size).toBe(1);
    expect(set.newlySealed()).toHaveLength(2);
    expect(set.upsert('i0', vs[5])).toBe('replaced');
    expect(set.imageIds().sort()).toEqual(['i0', 'i1', 'i2', 'i3', 'i4']);
    expect(set.delete('i3')).toBe(true);
    expect(set.ops).toEqual({ added: 5, replaced: 1, deleted: 1, skipped: 0 });
  });

  it('a snapshot reloads with identical search results, ids and offsets', async () => {
    const store = new ShardSnapshotStore(dir);
    const data = seededUnitVectors(130, params.dim, 11);
    const set = ShardSet.empty(MODEL, params, 50);
    data.forEach((v, i) => set.upsert(`img-${i}`, v));
    set.delete('img-3');
    set.delete('img-120');
    set.markApplied('vc', 0, 129);
    set.markApplied('vc', 1, 7);
    const result = await store.save(set);
    expect(result.snapshotVersion).toBe(1);

    const loaded = await store.load(MODEL, params, 50);
    expect(loaded.snapshotVersion).toBe(1);
    expect(loaded.imageIds().sort()).toEqual(set.imageIds().sort());
    expect(loaded.sealed.map((s) => s.shardId)).toEqual(set.sealed.map((s) => s.shardId));
    expect(loaded.appliedOffsets()).toEqual([
      { topic: 'vc', partition: 0, offset: 129 },
      { topic: 'vc', partition: 1, offset: 7 },
    ]);
    for (const q of seededUnitVectors(20, params.dim, 5)) expect(loaded.search(q, 5)).toEqual(set.search(q, 5));

    const manifest = JSON.parse(await fs.readFile(join(dir, MODEL, MANIFEST_FILE), 'utf8')) as SnapshotManifest;
    const sealedFile = manifest.shards.find((s) => s.sealed);
    const shardManifest = JSON.parse(await fs.readFile(join(dir, MODEL, `${sealedFile?.shardId}.v${sealedFile?.fileVersion}.json`), 'utf8')) as ShardManifest;
    expect(shardManifest).toMatchObject({ modelVersion: MODEL, sealed: true, count: 49 });
    expect(shardManifest.offsets).toEqual(manifest.offsets);
  });

  it('later snapshots rewrite only changed shards, drop old files, and labels stay unique after reload', async () => {
    const store = new ShardSnapshotStore(dir);
    const data = seededUnitVectors(12, params.dim, 4);
    const set = ShardSet.empty(MODEL, params, 5);
    data.slice(0, 7).forEach((v, i) => set.upsert(`i${i}`, v));
    await store.save(set);
    set.upsert('i7', data[7]);
    const second = await store.save(set);
    expect(second.shardsWritten).toEqual([set.growing.shardId]);
    const files = (await fs.readdir(join(dir, MODEL))).sort();
    expect(files).toEqual([MANIFEST_FILE, `${MODEL}-s00000.v1.hnsw`, `${MODEL}-s00000.v1.json`, `${MODEL}-s00001.v2.hnsw`, `${MODEL}-s00001.v2.json`].sort());

    const loaded = await store.load(MODEL, params, 5);
    loaded.upsert('i8', data[8]);
    loaded.upsert('i5', data[9]);
    expect(loaded.imageIds().sort()).toEqual(['i0', 'i1', 'i2', 'i3', 'i4', 'i5', 'i6', 'i7', 'i8']);
    expect(loaded.search(data[8], 1)[0]?.imageId).toBe('i8');
    expect(loaded.search(data[9], 1)[0]?.imageId).toBe('i5');
  });

  it('a crash before the manifest rename leaves the previous snapshot', async () => {
    const store = new ShardSnapshotStore(dir);
    const data = seededUnitVectors(4, params.dim, 8);
    const set = ShardSet.empty(MODEL, params, 10);
    set.upsert('a', data[0]);
    set.markApplied('vc', 0, 0);
    await store.save(set);
    // Simulate a crash mid-snapshot: new shard files and a temp manifest exist, the rename never happened.
    set.upsert('b', data[1]);
    await set.growing.writeGraph(join(dir, MODEL, `${set.growing.shardId}.v2.hnsw`));
    await fs.writeFile(join(dir, MODEL, `${MANIFEST_FILE}.tmp`), '{"partial":');
    const loaded = await store.load(MODEL, params, 10);
    expect(loaded.imageIds()).toEqual(['a']);
    expect(loaded.appliedOffsets()).toEqual([{ topic: 'vc', partition: 0, offset: 0 }]);
    // The next snapshot succeeds and clears the debris.
    loaded.upsert('c', data[2]);
    await store.save(loaded);
    expect((await fs.readdir(join(dir, MODEL))).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    expect((await store.load(MODEL, params, 10)).imageIds().sort()).toEqual(['a', 'c']);
  });
});
