import { readFileSync } from 'node:fs';
import { InternalError } from '@stylestream/errors';
import { join } from 'node:path';
import { MANIFEST_FILE, ShardSnapshotStore, type SnapshotManifest } from './shard-snapshot.store';
import type { Neighbour } from './hnsw-shard';
import { PendingOps } from './pending-ops';
import type { KnnFilter, ShardSet } from './shard-set';
import type { ApplyResult, IndexOp, OpResult, ShardHostOptions, ShardUpdate, SnapshotReport } from './shard-host.port';

/** Directory / shard-id scope of one input partition: `<topic>-<partition>`. */
export function partitionScope(topic: string, partition: number): string {
  return `${topic}-${partition}`;
}

/**
 * The applied offset of a partition's last snapshot on disk, read
 * synchronously (a group join must return seek positions at once); undefined
 * when the partition has no snapshot or it cannot be read (replay from 0).
 */
export function snapshotOffsetOnDisk(options: Pick<ShardHostOptions, 'dataDir' | 'topic' | 'modelVersion'>, partition: number): number | undefined {
  const dir = new ShardSnapshotStore(options.dataDir, partitionScope(options.topic, partition)).dirOf(options.modelVersion);
  try {
    const manifest = JSON.parse(readFileSync(join(dir, MANIFEST_FILE), 'utf8')) as SnapshotManifest;
    return manifest.offsets.find((o) => o.topic === options.topic && o.partition === partition)?.offset;
  } catch {
    return undefined;
  }
}

/** Lets queries run between chunks of a long mutation. */
export type YieldPoint = () => Promise<void>;

/** Queued ops past which an apply waits for the graphs to catch up (backpressure; queries scan the queue exactly). */
export const DEFAULT_MAX_PENDING_OPS = 20_000;

/** How the host hears of background work and lets queries in during it. */
export interface PartitionShardsHooks {
  /** Called when a background snapshot or compaction ends: queued ops may now be applied. */
  readonly onThawed?: () => void;
  /** Called when a background snapshot is on disk and its report waits to be taken (before any compaction after it). */
  readonly onSnapshotWritten?: () => void;
  /** Awaited between chunks of a compaction (default: setImmediate). */
  readonly yieldPoint?: YieldPoint;
}

const nextTurn: YieldPoint = () => new Promise((resolve) => setImmediate(resolve));

/**
 * The shards of one input partition: its ShardSet, its snapshot store and its
 * snapshot policy (every N ops or T ms after the first unsnapshotted one).
 * Exactly-once (docs/DESIGN.md §11): an op's effect and its offset are
 * applied in one synchronous step; a snapshot persists both; an op at or
 * below the applied offset is `already-applied`.
 *
 * Snapshots and compactions run in the background and never stop the
 * partition: while one reads the graphs (the hnswlib write runs on a libuv
 * thread), new ops queue in PendingOps, searchable at once, and are applied
 * to the graphs in order afterwards (`drain`). The persisted offsets only
 * ever cover what the graphs hold. Not thread-safe: the host serialises
 * mutations (apply, drain, flush, idle).
 */
export class PartitionShards {
  private firstUnsnapshottedAt: number | undefined;
  private snapshotAt: number;
  private lastSnapshotMs = 0;
  private readonly pending: PendingOps;
  /** A snapshot (and the compactions after it) reading the graphs; while set, ops queue. */
  private frozen: Promise<void> | undefined;
  private backgroundError: unknown;
  private readonly finishedReports: SnapshotReport[] = [];
  private readonly finishedCompactions: string[] = [];
  private drained = { inserts: 0, ms: 0 };

  private constructor(
    readonly partition: number,
    readonly set: ShardSet,
    private readonly store: ShardSnapshotStore,
    private readonly options: ShardHostOptions,
    private readonly now: () => number,
    private readonly hooks: PartitionShardsHooks,
  ) {
    this.snapshotAt = now();
    this.pending = new PendingOps(set.params.space);
  }

  static async open(options: ShardHostOptions, partition: number, now: () => number = Date.now, hooks: PartitionShardsHooks = {}): Promise<PartitionShards> {
    const store = new ShardSnapshotStore(options.dataDir, partitionScope(options.topic, partition));
    const set = await store.load(options.modelVersion, options.params, options.capacity);
    return new PartitionShards(partition, set, store, options, now, hooks);
  }

  /** The last offset applied: in the graphs or queued. */
  get appliedOffset(): number | undefined {
    const inGraphs = this.set.appliedOffset(this.options.topic, this.partition);
    const queued = this.pending.lastOffset;
    if (inGraphs === undefined) return queued;
    return queued === undefined ? inGraphs : Math.max(inGraphs, queued);
  }

  get snapshotAgeSeconds(): number {
    return (this.now() - this.snapshotAt) / 1000;
  }

  /** Ops queued for the graphs. */
  get pendingOps(): number {
    return this.pending.size;
  }

  /** Queued ops that can be applied now (no background work holds the graphs, no failure waits to be raised). */
  get hasBacklog(): boolean {
    return this.frozen === undefined && this.backgroundError === undefined && this.pending.size > 0;
  }

  async apply(ops: readonly IndexOp[], settled: readonly number[], snapshotAfter: boolean, yieldPoint: YieldPoint): Promise<ApplyResult> {
    this.rethrowBackgroundError();
    for (const offset of settled) this.settle(offset);
    this.startSnapshotIfDue(false);
    await this.makeRoom(ops.length, yieldPoint);
    const results: OpResult[] = [];
    let inserts = this.drained.inserts;
    let opsMs = this.drained.ms;
    this.drained = { inserts: 0, ms: 0 };
    let sliceStart = this.now();
    for (const op of ops) {
      if (this.queueing) {
        results.push(this.enqueue(op));
        continue;
      }
      const started = performance.now();
      results.push(this.applyOne(op));
      opsMs += performance.now() - started;
      if (op.kind === 'upsert') inserts += 1;
      if (this.now() - sliceStart >= 5) {
        await yieldPoint();
        sliceStart = this.now();
      }
    }
    if (snapshotAfter) this.startSnapshotIfDue(false);
    return { results, appliedOffset: this.appliedOffset, snapshots: this.takeReports(), compacted: this.finishedCompactions.splice(0), opsMs, inserts };
  }

  /** Applies queued ops to the graphs, oldest first, for about `budgetMs`; a no-op while background work holds them. */
  drain(budgetMs: number): void {
    if (this.frozen !== undefined) return;
    const started = performance.now();
    let entry = this.pending.peek();
    while (entry !== undefined && performance.now() - started < budgetMs) {
      try {
        if (entry.kind !== 'settle') this.mutate(entry);
      } catch (err) {
        // Left at the head: the next apply raises the error (the consumer pauses and retries).
        this.backgroundError = err;
        break;
      }
      if (entry.kind === 'upsert') this.drained.inserts += 1;
      this.markApplied(entry.offset);
      this.pending.shift();
      entry = this.pending.peek();
    }
    this.drained.ms += performance.now() - started;
  }

  /**
   * Starts a snapshot when the policy says so; with `force` (a graceful stop)
   * first waits for background work and applies every queued op, then
   * snapshots whatever is unsnapshotted and waits for it. Returns the
   * snapshots finished since the last report.
   */
  async flush(force: boolean, yieldPoint: YieldPoint): Promise<SnapshotReport[]> {
    if (force) {
      await this.idle();
      this.rethrowBackgroundError();
      while (this.pending.size > 0) {
        this.drain(25);
        await yieldPoint();
      }
      // A compaction after the snapshot leaves the set unsnapshotted again: snapshot until nothing is.
      while (this.startSnapshotIfDue(true)) {
        await this.idle();
        this.rethrowBackgroundError();
      }
    } else {
      this.rethrowBackgroundError();
      this.startSnapshotIfDue(false);
    }
    return this.takeReports();
  }

  /** Resolves once no background snapshot or compaction runs. */
  async idle(): Promise<void> {
    while (this.frozen !== undefined) await this.frozen;
  }

  search(vector: ArrayLike<number>, k: number, ef: number | undefined, filter: KnnFilter | undefined): Neighbour[] {
    if (this.pending.shadowedCount === 0) return this.set.search(vector, k, ef, filter);
    let hits = this.set.search(vector, k, ef, filter);
    if (hits.some((h) => this.pending.isShadowed(h.imageId))) {
      const exclude = new Set(filter?.exclude);
      for (const imageId of this.pending.shadowedIds()) exclude.add(imageId);
      hits = this.set.search(vector, k, ef, { allow: filter?.allow, exclude, exactMax: filter?.exactMax ?? 0 });
    }
    const allow = filter?.allow;
    const exclude = filter?.exclude;
    const queued = this.pending.search(vector, k, (id) => (allow === undefined || allow.has(id)) && (exclude === undefined || !exclude.has(id)));
    return queued.length === 0 ? hits : [...hits, ...queued].sort((a, b) => b.score - a.score).slice(0, k);
  }

  vectorOf(imageId: string): number[] | undefined {
    const state = this.pending.stateOf(imageId);
    if (state.kind === 'none') return this.set.vectorOf(imageId);
    return state.kind === 'live' ? Array.from(state.vector) : undefined;
  }

  has(imageId: string): boolean {
    const state = this.pending.stateOf(imageId);
    return state.kind === 'none' ? this.set.has(imageId) : state.kind === 'live';
  }

  imageIds(): string[] {
    if (this.pending.shadowedCount === 0) return this.set.imageIds();
    return [...this.set.imageIds().filter((id) => !this.pending.isShadowed(id)), ...this.pending.liveIds()];
  }

  private get queueing(): boolean {
    return this.frozen !== undefined || this.pending.size > 0;
  }

  /** Backpressure: with too many ops queued, waits for background work and applies queued ops until the batch fits. */
  private async makeRoom(incoming: number, yieldPoint: YieldPoint): Promise<void> {
    const max = this.options.maxPendingOps ?? DEFAULT_MAX_PENDING_OPS;
    while (this.pending.size > 0 && this.pending.size + incoming > max) {
      await this.idle();
      this.drain(5);
      await yieldPoint();
    }
  }

  private settle(offset: number): void {
    if (this.queueing) this.pending.push({ kind: 'settle', offset });
    else this.markApplied(offset);
  }

  /** Queues an op, answering with the effect it will have (judged on the graphs plus the queue). */
  private enqueue(op: IndexOp): OpResult {
    const applied = this.appliedOffset;
    if (applied !== undefined && op.offset <= applied) return 'already-applied';
    let result: OpResult;
    switch (op.kind) {
      case 'upsert':
        result = this.has(op.imageId) ? 'replaced' : 'added';
        break;
      case 'delete':
        result = this.has(op.imageId) ? 'deleted' : 'absent';
        break;
      case 'skip':
        result = 'skipped';
        break;
    }
    this.pending.push(op);
    return result;
  }

  private applyOne(op: IndexOp): OpResult {
    const applied = this.appliedOffset;
    if (applied !== undefined && op.offset <= applied) return 'already-applied';
    const result = this.mutate(op);
    this.markApplied(op.offset);
    return result;
  }

  private mutate(op: IndexOp): OpResult {
    switch (op.kind) {
      case 'upsert':
        return this.set.upsert(op.imageId, op.vector);
      case 'delete':
        if (this.set.delete(op.imageId)) return 'deleted';
        this.set.skip();
        return 'absent';
      case 'skip':
        this.set.skip();
        return 'skipped';
    }
  }

  private markApplied(offset: number): void {
    this.set.markApplied(this.options.topic, this.partition, offset);
    this.firstUnsnapshottedAt ??= this.now();
  }

  /** Starts a background snapshot when due (or when `force` and anything is unsnapshotted); true when one started. */
  private startSnapshotIfDue(force: boolean): boolean {
    if (this.frozen !== undefined || this.firstUnsnapshottedAt === undefined) return false;
    const { added, replaced, deleted, skipped } = this.set.ops;
    const due = force || added + replaced + deleted + skipped >= this.options.snapshotEveryOps || this.now() - this.firstUnsnapshottedAt >= this.options.snapshotEveryMs;
    if (!due) return false;
    // Snapshot cost grows with the growing shard: keep the gap at least `backoff` times the last one's
    // duration, so snapshots take at most about 1/backoff of the time (only the replay bound grows).
    if (!force && this.now() - this.snapshotAt < this.lastSnapshotMs * (this.options.snapshotBackoffFactor ?? 0)) return false;
    this.frozen = this.snapshotThenCompact()
      .catch((err: unknown) => {
        this.backgroundError = err;
      })
      .finally(() => {
        this.frozen = undefined;
        this.hooks.onThawed?.();
      });
    return true;
  }

  /**
   * One snapshot, then the compaction of every shard past the deleted ratio
   * (persisted by the next snapshot). The graphs do not change meanwhile:
   * ops queue. On failure the error is raised by the next apply or flush.
   */
  private async snapshotThenCompact(): Promise<void> {
    this.finishedReports.push(await this.snapshot());
    this.hooks.onSnapshotWritten?.();
    for (const shard of this.set.shardsToCompact(this.options.rebuildDeletedRatio)) {
      this.set.replaceShard(await shard.compacted(this.hooks.yieldPoint ?? nextTurn));
      this.finishedCompactions.push(shard.shardId);
      this.firstUnsnapshottedAt ??= this.now();
    }
  }

  private rethrowBackgroundError(): void {
    const err = this.backgroundError;
    if (err === undefined) return;
    this.backgroundError = undefined;
    throw err instanceof Error ? err : new InternalError(`partition ${this.partition} background work failed`, err);
  }

  private takeReports(): SnapshotReport[] {
    return this.finishedReports.splice(0);
  }

  private async snapshot(): Promise<SnapshotReport> {
    const ops = { ...this.set.ops };
    const sealed = this.set.newlySealed();
    const started = this.now();
    const result = await this.store.save(this.set);
    this.firstUnsnapshottedAt = undefined;
    this.snapshotAt = this.now();
    this.lastSnapshotMs = this.snapshotAt - started;
    const at = this.snapshotAt;
    const partitions = this.set.appliedOffsets();
    const none = { added: 0, replaced: 0, deleted: 0, skipped: 0 };
    const record = (shardId: string, isSealed: boolean, vectorCount: number, shardOps: ShardUpdate['ops']): ShardUpdate => ({
      shardId,
      partitions,
      ops: shardOps,
      vectorCount,
      snapshotVersion: result.snapshotVersion,
      sealed: isSealed,
      at,
    });
    const updates = [
      ...this.set.sealed.filter((s) => sealed.includes(s.shardId)).map((s) => record(s.shardId, true, s.size, none)),
      record(this.set.growing.shardId, false, this.set.growing.size, ops),
    ];
    return { partition: this.partition, snapshotVersion: result.snapshotVersion, durationMs: result.durationMs, shardsWritten: result.shardsWritten, updates };
  }
}
