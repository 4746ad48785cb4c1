import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { InternalError } from '@stylestream/errors';
import { fsyncPath, replaceAtomically, writeJsonAtomically } from './durable-files';
import type { HnswParams } from './hnsw-params';
import { HnswShard, type ShardIdEntries } from './hnsw-shard';
import { ShardSet, shardIdOf, type AppliedOffset } from './shard-set';

export const MANIFEST_FILE = 'MANIFEST.json';
const FORMAT_VERSION = 1;

/** Per-shard manifest `<shardId>.v<N>.json`, next to its graph `<shardId>.v<N>.hnsw`. */
export interface ShardManifest {
  readonly shardId: string;
  readonly modelVersion: string;
  readonly sealed: boolean;
  readonly count: number;
  readonly nextLabel: number;
  /** label → image id of every live vector. */
  readonly ids: ShardIdEntries;
  /** Input offsets the shard reflects (those of the snapshot that wrote it). */
  readonly offsets: readonly AppliedOffset[];
}

/** The top-level manifest, written last: it alone says which snapshot is current. */
export interface SnapshotManifest {
  readonly formatVersion: number;
  readonly modelVersion: string;
  readonly snapshotVersion: number;
  readonly capacity: number;
  readonly nextShardSeq: number;
  readonly offsets: readonly AppliedOffset[];
  /** Every shard with the version of its files. */
  readonly shards: readonly { readonly shardId: string; readonly sealed: boolean; readonly fileVersion: number; readonly count: number }[];
}

export interface SnapshotResult {
  readonly snapshotVersion: number;
  readonly shardsWritten: readonly string[];
  readonly durationMs: number;
}

/**
 * Persists a ShardSet under `<dataDir>/<modelVersion>/` so that a crash at
 * any point leaves either the previous snapshot or the new one:
 * 1. each changed shard is written to NEW files named with the new snapshot
 *    version (graph, then its manifest; temp + fsync + rename);
 * 2. MANIFEST.json naming the version, the offsets it reflects and the files
 *    of every shard is replaced atomically — the commit point;
 * 3. files no manifest names any more are deleted.
 * Unchanged shards keep their older files. The caller must not mutate the
 * set while save() runs.
 */
export class ShardSnapshotStore {
  /**
   * `scope` (e.g. `vector-cleaned-3`, one input partition) puts the files in
   * `<dataDir>/<modelVersion>/<scope>/` and prefixes shard ids with it, so the
   * shards of different partitions can be owned, moved and loaded apart.
   */
  constructor(
    private readonly dataDir: string,
    private readonly scope?: string,
  ) {}

  dirOf(modelVersion: string): string {
    return this.scope === undefined ? join(this.dataDir, modelVersion) : join(this.dataDir, modelVersion, this.scope);
  }

  shardPrefixOf(modelVersion: string): string {
    return this.scope === undefined ? modelVersion : `${modelVersion}-${this.scope}`;
  }

  async readManifest(modelVersion: string): Promise<SnapshotManifest | undefined> {
    try {
      return JSON.parse(await fs.readFile(join(this.dirOf(modelVersion), MANIFEST_FILE), 'utf8')) as SnapshotManifest;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new InternalError(`cannot read the index manifest of ${modelVersion}`, err);
    }
  }

  /** Restores the last snapshot, or an empty set when there is none. */
  async load(modelVersion: string, params: HnswParams, capacity: number): Promise<ShardSet> {
    const manifest = await this.readManifest(modelVersion);
    const shardPrefix = this.shardPrefixOf(modelVersion);
    if (manifest === undefined) return ShardSet.empty(modelVersion, params, capacity, shardPrefix);
    if (manifest.formatVersion !== FORMAT_VERSION) throw new InternalError(`index manifest format ${manifest.formatVersion} is not ${FORMAT_VERSION}`);
    const dir = this.dirOf(modelVersion);
    const sealed: HnswShard[] = [];
    let growing: HnswShard | undefined;
    for (const entry of manifest.shards) {
      const base = join(dir, fileBase(entry.shardId, entry.fileVersion));
      const shardManifest = JSON.parse(await fs.readFile(`${base}.json`, 'utf8')) as ShardManifest;
      const shard = await HnswShard.read(entry.shardId, params, manifest.capacity, `${base}.hnsw`, shardManifest.ids, shardManifest.nextLabel);
      if (entry.sealed) sealed.push(shard);
      else growing = shard;
    }
    growing ??= HnswShard.create(shardIdOf(shardPrefix, manifest.nextShardSeq), params, manifest.capacity);
    return new ShardSet({
      modelVersion,
      params,
      capacity: manifest.capacity,
      sealed,
      growing,
      offsets: manifest.offsets,
      snapshotVersion: manifest.snapshotVersion,
      nextShardSeq: manifest.nextShardSeq,
      shardPrefix,
    });
  }

  async save(set: ShardSet): Promise<SnapshotResult> {
    const started = Date.now();
    const dir = this.dirOf(set.modelVersion);
    await fs.mkdir(dir, { recursive: true });
    const previous = await this.readManifest(set.modelVersion);
    const fileVersions = new Map((previous?.shards ?? []).map((s) => [s.shardId, s.fileVersion]));
    // Past both: another owner of this directory (a partition that moved) may have written later versions.
    const version = Math.max(set.snapshotVersion, previous?.snapshotVersion ?? 0) + 1;
    const offsets = set.appliedOffsets();
    const sealedIds = new Set(set.sealed.map((s) => s.shardId));
    const written: string[] = [];
    for (const shard of set.allShards()) {
      if (!set.dirtyShards().includes(shard) && fileVersions.has(shard.shardId)) continue;
      const base = join(dir, fileBase(shard.shardId, version));
      await replaceAtomically(`${base}.hnsw`, (tmp) => shard.writeGraph(tmp));
      const shardManifest: ShardManifest = {
        shardId: shard.shardId,
        modelVersion: set.modelVersion,
        sealed: sealedIds.has(shard.shardId),
        count: shard.size,
        nextLabel: shard.labelCursor,
        ids: shard.idEntries(),
        offsets,
      };
      await writeJsonAtomically(`${base}.json`, shardManifest);
      fileVersions.set(shard.shardId, version);
      written.push(shard.shardId);
    }
    const manifest: SnapshotManifest = {
      formatVersion: FORMAT_VERSION,
      modelVersion: set.modelVersion,
      snapshotVersion: version,
      capacity: set.capacity,
      nextShardSeq: set.shardSeq,
      offsets,
      shards: set.allShards().map((s) => ({ shardId: s.shardId, sealed: sealedIds.has(s.shardId), fileVersion: fileVersions.get(s.shardId) ?? version, count: s.size })),
    };
    await writeJsonAtomically(join(dir, MANIFEST_FILE), manifest);
    set.markSnapshotted(version);
    await this.removeUnreferenced(dir, manifest);
    return { snapshotVersion: version, shardsWritten: written, durationMs: Date.now() - started };
  }

  private async removeUnreferenced(dir: string, manifest: SnapshotManifest): Promise<void> {
    const keep = new Set([MANIFEST_FILE]);
    for (const s of manifest.shards) {
      keep.add(`${fileBase(s.shardId, s.fileVersion)}.hnsw`);
      keep.add(`${fileBase(s.shardId, s.fileVersion)}.json`);
    }
    for (const name of await fs.readdir(dir)) {
      if (!keep.has(name)) await fs.rm(join(dir, name), { force: true });
    }
    await fsyncPath(dir);
  }
}

function fileBase(shardId: string, version: number): string {
  return `${shardId}.v${version}`;
}
