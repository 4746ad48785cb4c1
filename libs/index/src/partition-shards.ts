import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MANIFEST_FILE, ShardSnapshotStore, type SnapshotManifest } from './shard-snapshot.store';
import type { ShardSet } from './shard-set';
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

/**
 * The shards of one input partition: its ShardSet, its snapshot store and its
 * snapshot policy (every N ops or T ms after the first unsnapshotted one).
 * Exactly-once (docs/DESIGN.md §11): an op's effect and its offset
 * are applied in one synchronous step; a snapshot persists both; an op at or
 * below the applied offset is `already-applied`. Not thread-safe: the host
 * serialises mutations.
 */
export class PartitionShards {
  private firstUnsnapshottedAt: number | undefined;
  private snapshotAt: number;
  private lastSnapshotMs = 0;

  private constructor(
    readonly partition: number,
    readonly set: ShardSet,
    private readonly store: ShardSnapshotStore,
    private readonly options: ShardHostOptions,
    private readonly now: () => number,
  ) {
    this.snapshotAt = now();
  }

  static async open(options: ShardHostOptions, partition: number, now: () => number = Date.now): Promise<PartitionShards> {
    const store = new ShardSnapshotStore(options.dataDir, partitionScope(options.topic, partition));
    const set = await store.load(options.modelVersion, options.params, options.capacity);
    return new PartitionShards(partition, set, store, options, now);
  }

  get appliedOffset(): number | undefined {
    return this.set.appliedOffset(this.options.topic, this.partition);
  }

  get snapshotAgeSeconds(): number {
    return (this.now() - this.snapshotAt) / 1000;
  }

  get dirty(): boolean {
    return this.firstUnsnapshottedAt !== undefined;
  }

  async apply(ops: readonly IndexOp[], settled: readonly number[], snapshotAfter: boolean, yieldPoint: YieldPoint): Promise<ApplyResult> {
    for (const offset of settled) this.markApplied(offset);
    const snapshots: SnapshotReport[] = [];
    const compacted: string[] = [];
    await this.snapshotIfDue(false, snapshots, compacted, yieldPoint);
    const results: OpResult[] = [];
    let inserts = 0;
    let opsMs = 0;
    let sliceStart = this.now();
    for (const op of ops) {
      const started = performance.now();
      results.push(this.applyOne(op));
      opsMs += performance.now() - started;
      if (op.kind === 'upsert') inserts += 1;
      if (this.now() - sliceStart >= 5) {
        await yieldPoint();
        sliceStart = this.now();
      }
    }
    if (snapshotAfter) await this.snapshotIfDue(false, snapshots, compacted, yieldPoint);
    return { results, appliedOffset: this.appliedOffset, snapshots, compacted, opsMs, inserts };
  }

  /**
   * Snapshots when due (or when `force` and anything is unsnapshotted), then
   * compacts shards past the deleted ratio; a compaction is persisted by the
   * next snapshot. Returns the report, or undefined when nothing was written.
   */
  async snapshotIfDue(force: boolean, reports: SnapshotReport[] = [], compacted: string[] = [], yieldPoint: YieldPoint = () => Promise.resolve()): Promise<SnapshotReport | undefined> {
    if (this.firstUnsnapshottedAt === undefined) return undefined;
    const { added, replaced, deleted, skipped } = this.set.ops;
    const due = force || added + replaced + deleted + skipped >= this.options.snapshotEveryOps || this.now() - this.firstUnsnapshottedAt >= this.options.snapshotEveryMs;
    if (!due) return undefined;
    // Snapshot cost grows with the growing shard: keep the gap at least `backoff` times the last one's
    // duration, so snapshots take at most about 1/backoff of the worker's time (only the replay bound grows).
    if (!force && this.now() - this.snapshotAt < this.lastSnapshotMs * (this.options.snapshotBackoffFactor ?? 0)) return undefined;
    const report = await this.snapshot();
    reports.push(report);
    for (const shard of this.set.shardsToCompact(this.options.rebuildDeletedRatio)) {
      this.set.replaceShard(await shard.compacted(yieldPoint));
      compacted.push(shard.shardId);
      this.firstUnsnapshottedAt ??= this.now();
    }
    return report;
  }

  private applyOne(op: IndexOp): OpResult {
    const applied = this.appliedOffset;
    if (applied !== undefined && op.offset <= applied) return 'already-applied';
    let result: OpResult;
    switch (op.kind) {
      case 'upsert':
        result = this.set.upsert(op.imageId, op.vector);
        break;
      case 'delete':
        if (this.set.delete(op.imageId)) result = 'deleted';
        else {
          this.set.skip();
          result = 'absent';
        }
        break;
      case 'skip':
        this.set.skip();
        result = 'skipped';
        break;
    }
    this.markApplied(op.offset);
    return result;
  }

  private markApplied(offset: number): void {
    this.set.markApplied(this.options.topic, this.partition, offset);
    this.firstUnsnapshottedAt ??= this.now();
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
