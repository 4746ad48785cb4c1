import type { HnswParams } from './hnsw-params';
import { HnswShard, type Neighbour } from './hnsw-shard';

/** Last applied offset of one input partition. */
export interface AppliedOffset {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
}

/** Index operation counts since the last snapshot. */
export interface OpCounts {
  added: number;
  replaced: number;
  deleted: number;
  skipped: number;
}

export const zeroOps = (): OpCounts => ({ added: 0, replaced: 0, deleted: 0, skipped: 0 });

/** The persisted position of a ShardSet, restored by ShardSnapshotStore. */
export interface ShardSetState {
  readonly modelVersion: string;
  readonly params: HnswParams;
  readonly capacity: number;
  readonly sealed: readonly HnswShard[];
  readonly growing: HnswShard;
  readonly offsets: readonly AppliedOffset[];
  readonly snapshotVersion: number;
  readonly nextShardSeq: number;
  /** Prefix of the shard ids (`<prefix>-s00000`); defaults to the model version. */
  readonly shardPrefix?: string;
}

/** Which ids a query may return. */
export interface KnnFilter {
  /** Only these ids may be returned (undefined: any). */
  readonly allow?: ReadonlySet<string>;
  /** These ids are never returned. */
  readonly exclude?: ReadonlySet<string>;
  /**
   * With `allow`: score the allowed ids exactly when there are at most this
   * many (recall 1, cost linear in the set), else run filtered HNSW traversal.
   */
  readonly exactMax: number;
}

/** Size and health of one shard, as served by /v1/shards and exported as metrics. */
export interface ShardStats {
  readonly shardId: string;
  readonly sealed: boolean;
  readonly count: number;
  readonly deleted: number;
}

/**
 * The shards of one model version: sealed shards (full; only deletes reach
 * them) and one growing shard, which is sealed the moment it reaches the
 * capacity and replaced by a new empty one. An image id lives in at most one
 * shard: an upsert of an id held by a sealed shard deletes it there and adds
 * it to the growing shard. Also tracks, per input partition, the last offset
 * applied, and which shards changed since the last snapshot (`dirty`).
 * Synchronous; the caller serialises calls.
 */
export class ShardSet {
  readonly modelVersion: string;
  readonly params: HnswParams;
  readonly capacity: number;
  private readonly sealedShards: HnswShard[];
  private growingShard: HnswShard;
  private readonly offsets = new Map<string, AppliedOffset>();
  private readonly dirtyIds = new Set<string>();
  private readonly sealedSinceSnapshot = new Set<string>();
  private nextShardSeq: number;
  readonly shardPrefix: string;
  snapshotVersion: number;
  ops: OpCounts = zeroOps();

  constructor(state: ShardSetState) {
    this.modelVersion = state.modelVersion;
    this.params = state.params;
    this.capacity = state.capacity;
    this.sealedShards = [...state.sealed];
    this.growingShard = state.growing;
    this.nextShardSeq = state.nextShardSeq;
    this.snapshotVersion = state.snapshotVersion;
    this.shardPrefix = state.shardPrefix ?? state.modelVersion;
    for (const o of state.offsets) this.offsets.set(keyOf(o.topic, o.partition), o);
  }

  static empty(modelVersion: string, params: HnswParams, capacity: number, shardPrefix = modelVersion): ShardSet {
    const growing = HnswShard.create(shardIdOf(shardPrefix, 0), params, capacity);
    const set = new ShardSet({ modelVersion, params, capacity, sealed: [], growing, offsets: [], snapshotVersion: 0, nextShardSeq: 1, shardPrefix });
    set.dirtyIds.add(set.growingShard.shardId);
    return set;
  }

  get growing(): HnswShard {
    return this.growingShard;
  }

  get sealed(): readonly HnswShard[] {
    return this.sealedShards;
  }

  get shardSeq(): number {
    return this.nextShardSeq;
  }

  get size(): number {
    return this.sealedShards.reduce((n, s) => n + s.size, this.growingShard.size);
  }

  /** Shards changed (or created) since the last snapshot. */
  dirtyShards(): HnswShard[] {
    return this.allShards().filter((s) => this.dirtyIds.has(s.shardId));
  }

  /** Ids of the shards sealed since the last snapshot. */
  newlySealed(): string[] {
    return [...this.sealedSinceSnapshot];
  }

  /** Called by the snapshot store once a snapshot naming every shard is durable. */
  markSnapshotted(version: number): void {
    this.snapshotVersion = version;
    this.dirtyIds.clear();
    this.sealedSinceSnapshot.clear();
    this.ops = zeroOps();
  }

  appliedOffset(topic: string, partition: number): number | undefined {
    return this.offsets.get(keyOf(topic, partition))?.offset;
  }

  /** Records `offset` as applied; never moves backwards. */
  markApplied(topic: string, partition: number, offset: number): void {
    const current = this.appliedOffset(topic, partition);
    if (current === undefined || offset > current) this.offsets.set(keyOf(topic, partition), { topic, partition, offset });
  }

  appliedOffsets(): AppliedOffset[] {
    return [...this.offsets.values()].sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
  }

  upsert(imageId: string, vector: ArrayLike<number>): 'added' | 'replaced' {
    let replaced = false;
    for (const shard of this.sealedShards) {
      if (shard.delete(imageId)) {
        this.dirtyIds.add(shard.shardId);
        replaced = true;
      }
    }
    const result = this.growingShard.upsert(imageId, vector);
    this.dirtyIds.add(this.growingShard.shardId);
    if (this.growingShard.isFull) this.roll();
    const outcome = replaced ? 'replaced' : result;
    this.ops[outcome] += 1;
    return outcome;
  }

  delete(imageId: string): boolean {
    for (const shard of this.allShards()) {
      if (shard.delete(imageId)) {
        this.dirtyIds.add(shard.shardId);
        this.ops.deleted += 1;
        return true;
      }
    }
    return false;
  }

  skip(): void {
    this.ops.skipped += 1;
  }

  has(imageId: string): boolean {
    return this.allShards().some((s) => s.has(imageId));
  }

  imageIds(): string[] {
    return this.allShards().flatMap((s) => s.imageIds());
  }

  /** Top-k over every shard, best first; with a filter, only ids it admits (see KnnFilter). */
  search(vector: ArrayLike<number>, k: number, ef?: number, filter?: KnnFilter): Neighbour[] {
    const allow = filter?.allow;
    const exclude = filter?.exclude;
    const admits = (id: string): boolean => exclude === undefined || !exclude.has(id);
    let hits: Neighbour[];
    if (allow !== undefined && allow.size <= (filter?.exactMax ?? 0)) {
      hits = this.allShards().flatMap((s) => s.scoreExact(vector, allow)).filter((n) => admits(n.imageId));
    } else if (allow !== undefined) {
      hits = this.allShards().flatMap((s) => s.search(vector, k, ef, (id) => allow.has(id) && admits(id)));
    } else if (exclude !== undefined && exclude.size > 0) {
      hits = this.allShards().flatMap((s) => s.search(vector, k, ef, admits));
    } else {
      hits = this.allShards().flatMap((s) => s.search(vector, k, ef));
    }
    return hits.sort((a, b) => b.score - a.score).slice(0, k);
  }

  vectorOf(imageId: string): number[] | undefined {
    for (const shard of this.allShards()) {
      const v = shard.vectorOf(imageId);
      if (v !== undefined) return v;
    }
    return undefined;
  }

  stats(): ShardStats[] {
    const sealed = new Set(this.sealedShards);
    return this.allShards().map((s) => ({ shardId: s.shardId, sealed: sealed.has(s), count: s.size, deleted: s.deletedCount }));
  }

  /** Shards whose deleted share passed `ratio`: candidates for compaction. */
  shardsToCompact(ratio: number): HnswShard[] {
    return this.allShards().filter((s) => s.deletedCount > 0 && s.deletedShare > ratio);
  }

  /**
   * Swaps in a compacted copy of a shard (same id and labels). The caller
   * built it from the current shard with no mutation in between.
   */
  replaceShard(compacted: HnswShard): void {
    if (this.growingShard.shardId === compacted.shardId) this.growingShard = compacted;
    else {
      const index = this.sealedShards.findIndex((s) => s.shardId === compacted.shardId);
      if (index < 0) return;
      this.sealedShards[index] = compacted;
    }
    this.dirtyIds.add(compacted.shardId);
  }

  allShards(): HnswShard[] {
    return [...this.sealedShards, this.growingShard];
  }

  /** Seals the full growing shard and opens an empty one. */
  private roll(): void {
    this.sealedShards.push(this.growingShard);
    this.sealedSinceSnapshot.add(this.growingShard.shardId);
    this.growingShard = HnswShard.create(shardIdOf(this.shardPrefix, this.nextShardSeq), this.params, this.capacity);
    this.nextShardSeq += 1;
    this.dirtyIds.add(this.growingShard.shardId);
  }
}

/** `<prefix>-s00042`: the prefix is the model version, plus the input partition when shards are per partition. */
export function shardIdOf(prefix: string, seq: number): string {
  return `${prefix}-s${String(seq).padStart(5, '0')}`;
}

function keyOf(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}
