import type { AppliedOffset, OpCounts, ShardStats } from './shard-set';
import type { HnswParams } from './hnsw-params';
import type { Neighbour } from './hnsw-shard';

/** One index operation decoded and validated by the writer, tagged with its input offset. */
export type IndexOp =
  | { readonly kind: 'upsert'; readonly offset: number; readonly imageId: string; readonly vector: Float32Array }
  | { readonly kind: 'delete'; readonly offset: number; readonly imageId: string }
  /** A record that changes nothing (a duplicate): only its offset is applied. */
  | { readonly kind: 'skip'; readonly offset: number };

/** What an op did; `already-applied` when its offset is at or below the partition's applied offset. */
export type OpResult = 'added' | 'replaced' | 'deleted' | 'absent' | 'skipped' | 'already-applied';

/** One `index-updated` record (the Avro IndexUpdated shape). */
export interface ShardUpdate {
  readonly shardId: string;
  readonly partitions: readonly AppliedOffset[];
  readonly ops: OpCounts;
  readonly vectorCount: number;
  readonly snapshotVersion: number;
  readonly sealed: boolean;
  readonly at: number;
}

export interface SnapshotReport {
  readonly partition: number;
  readonly snapshotVersion: number;
  readonly durationMs: number;
  readonly shardsWritten: readonly string[];
  readonly updates: readonly ShardUpdate[];
}

export interface ApplyResult {
  readonly results: readonly OpResult[];
  readonly appliedOffset: number | undefined;
  /** Snapshots taken during the call (before and/or after the ops). */
  readonly snapshots: readonly SnapshotReport[];
  /** Shards compacted during the call (deleted share past the rebuild ratio). */
  readonly compacted: readonly string[];
  /** Time spent in the ops themselves, and how many were inserts. */
  readonly opsMs: number;
  readonly inserts: number;
}

export interface OpenResult {
  readonly partition: number;
  readonly appliedOffset: number | undefined;
  readonly snapshotVersion: number;
  readonly vectors: number;
}

/** A k-NN query as the owner executes it (already validated). */
export interface ShardQuery {
  readonly vector: Float32Array;
  readonly k: number;
  readonly ef?: number;
  readonly filterIds?: readonly string[];
  readonly excludeIds?: readonly string[];
}

export interface ShardQueryResult {
  readonly hits: readonly Neighbour[];
  readonly shards: readonly { readonly shardId: string; readonly count: number }[];
}

export interface PartitionStats {
  readonly partition: number;
  readonly appliedOffset: number | undefined;
  readonly snapshotVersion: number;
  /** Seconds since the last snapshot was written or loaded. */
  readonly snapshotAgeSeconds: number;
  /** Ops accepted and searchable but not yet in the graphs (queued behind a background snapshot or compaction). */
  readonly pendingOps: number;
  readonly shards: readonly ShardStats[];
}

/** Fixed settings of every partition's shards in one writer. */
export interface ShardHostOptions {
  readonly dataDir: string;
  readonly topic: string;
  readonly modelVersion: string;
  readonly params: HnswParams;
  readonly capacity: number;
  readonly snapshotEveryOps: number;
  readonly snapshotEveryMs: number;
  /**
   * A due snapshot waits until the time since the last one is at least this
   * many times that one's duration (bounds snapshot overhead to ~1/factor of
   * a worker's time as shards grow); 0 or absent: no backoff. `force` ignores it.
   */
  readonly snapshotBackoffFactor?: number;
  /** Compact a shard once its deleted share passes this (0..1). */
  readonly rebuildDeletedRatio: number;
  /** Filters with at most this many ids are scored exactly; larger ones use filtered HNSW traversal. */
  readonly exactFilterMax: number;
  /** Queued ops past which an apply waits for the graphs to catch up (default DEFAULT_MAX_PENDING_OPS). */
  readonly maxPendingOps?: number;
}

/**
 * Holds the shards of the input partitions this writer owns, one ShardSet
 * per partition (an image id always lands in the same partition, so it lives
 * in one set). Implemented in-process (PartitionShardsHost) and over worker
 * threads (ShardWorkerPool), same contract:
 * - mutations of one partition (open, apply, snapshot, release) run one at a
 *   time in call order; queries run between ops and never wait for a batch;
 * - apply() first marks `settled` offsets applied (dead letters the consumer
 *   has written), starts a snapshot if due, applies the ops in order (each
 *   marks its offset applied with its effect; searchable when the call
 *   returns), and starts one again if `snapshotAfter`. Snapshots run in the
 *   background: ops that arrive meanwhile queue behind them, searchable,
 *   and reach the graphs after; a finished snapshot is reported by the next
 *   apply or snapshot call;
 * - release() drops a partition without snapshotting: its next owner
 *   replays from the last snapshot, so state never forks;
 * - errors reject with InternalError (a worker that died fails every call).
 */
/** What a shard host tells its owner between calls. */
export interface ShardHostListener {
  /** A background snapshot of `partition` is on disk: the next `snapshot(partition, false)` returns its report. */
  snapshotWritten?(partition: number): void;
}

export interface ShardHost {
  open(partition: number): Promise<OpenResult>;
  release(partition: number): Promise<void>;
  apply(partition: number, ops: readonly IndexOp[], settled: readonly number[], snapshotAfter: boolean): Promise<ApplyResult>;
  /**
   * Starts a snapshot when the policy says so; with `force` (a graceful stop)
   * applies every queued op and snapshots what is unsnapshotted, waiting for
   * it. Returns the snapshots finished since the last report.
   */
  snapshot(partition: number, force: boolean): Promise<readonly SnapshotReport[]>;
  search(query: ShardQuery): Promise<ShardQueryResult>;
  vectorOf(imageId: string): Promise<number[] | undefined>;
  stats(): Promise<PartitionStats[]>;
  imageIds(): Promise<string[]>;
  close(): Promise<void>;
}
