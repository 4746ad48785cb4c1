import { InternalError } from '@stylestream/errors';
import type { Neighbour } from './hnsw-shard';
import { PartitionShards } from './partition-shards';
import type { KnnFilter } from './shard-set';
import type { ApplyResult, IndexOp, OpenResult, PartitionStats, ShardHost, ShardHostListener, ShardHostOptions, ShardQuery, ShardQueryResult, SnapshotReport } from './shard-host.port';

const yieldToQueries = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Length of one slice of queued ops applied to the graphs between other calls. */
const DRAIN_SLICE_MS = 5;

/**
 * ShardHost in the calling thread: one PartitionShards per owned partition.
 * Mutations run one at a time on one chain; queries read the current state
 * at once (between ops: an apply yields every few milliseconds). Ops queued
 * behind a background snapshot are applied to the graphs in short slices on
 * the same chain, so a new batch waits at most one slice. Runs inside each
 * worker thread of a ShardWorkerPool, and directly in unit tests.
 */
export class PartitionShardsHost implements ShardHost {
  private readonly partitions = new Map<number, PartitionShards>();
  private chain: Promise<unknown> = Promise.resolve();
  private readonly drainScheduled = new Set<number>();

  constructor(
    private readonly options: ShardHostOptions,
    private readonly now: () => number = Date.now,
    private readonly listener: ShardHostListener = {},
  ) {}

  open(partition: number): Promise<OpenResult> {
    return this.exclusive(async () => {
      let shards = this.partitions.get(partition);
      if (shards === undefined) {
        shards = await PartitionShards.open(this.options, partition, this.now, {
          onThawed: () => this.scheduleDrain(partition),
          onSnapshotWritten: () => this.listener.snapshotWritten?.(partition),
          yieldPoint: yieldToQueries,
        });
        this.partitions.set(partition, shards);
      }
      return { partition, appliedOffset: shards.appliedOffset, snapshotVersion: shards.set.snapshotVersion, vectors: shards.set.size };
    });
  }

  release(partition: number): Promise<void> {
    return this.exclusive(async () => {
      // A snapshot still writing belongs to this owner: let it finish before the partition can move.
      await this.partitions.get(partition)?.idle();
      this.partitions.delete(partition);
    });
  }

  async apply(partition: number, ops: readonly IndexOp[], settled: readonly number[], snapshotAfter: boolean): Promise<ApplyResult> {
    const result = await this.exclusive(() => this.owned(partition).apply(ops, settled, snapshotAfter, yieldToQueries));
    this.scheduleDrain(partition);
    return result;
  }

  snapshot(partition: number, force: boolean): Promise<readonly SnapshotReport[]> {
    return this.exclusive(async () => {
      const shards = this.partitions.get(partition);
      return shards === undefined ? [] : shards.flush(force, yieldToQueries);
    });
  }

  search(query: ShardQuery): Promise<ShardQueryResult> {
    const filter: KnnFilter = {
      allow: query.filterIds === undefined ? undefined : new Set(query.filterIds),
      exclude: query.excludeIds === undefined || query.excludeIds.length === 0 ? undefined : new Set(query.excludeIds),
      exactMax: this.options.exactFilterMax,
    };
    const hits: Neighbour[] = [];
    const shards: { shardId: string; count: number }[] = [];
    for (const p of this.partitions.values()) {
      hits.push(...p.search(query.vector, query.k, query.ef, filter));
      for (const s of p.set.stats()) shards.push({ shardId: s.shardId, count: s.count });
    }
    hits.sort((a, b) => b.score - a.score);
    return Promise.resolve({ hits: hits.slice(0, query.k), shards });
  }

  vectorOf(imageId: string): Promise<number[] | undefined> {
    for (const p of this.partitions.values()) {
      const v = p.vectorOf(imageId);
      if (v !== undefined) return Promise.resolve(v);
    }
    return Promise.resolve(undefined);
  }

  stats(): Promise<PartitionStats[]> {
    return Promise.resolve(
      [...this.partitions.values()].map((p) => ({
        partition: p.partition,
        appliedOffset: p.appliedOffset,
        snapshotVersion: p.set.snapshotVersion,
        snapshotAgeSeconds: p.snapshotAgeSeconds,
        pendingOps: p.pendingOps,
        shards: p.set.stats(),
      })),
    );
  }

  imageIds(): Promise<string[]> {
    return Promise.resolve([...this.partitions.values()].flatMap((p) => p.imageIds()));
  }

  close(): Promise<void> {
    return this.exclusive(async () => {
      for (const p of this.partitions.values()) await p.idle();
      this.partitions.clear();
    });
  }

  /** Applies a partition's queued ops one slice at a time, each its own turn on the chain, until none is left. */
  private scheduleDrain(partition: number): void {
    if (this.drainScheduled.has(partition) || this.partitions.get(partition)?.hasBacklog !== true) return;
    this.drainScheduled.add(partition);
    setImmediate(() => {
      this.exclusive(() => {
        this.drainScheduled.delete(partition);
        this.partitions.get(partition)?.drain(DRAIN_SLICE_MS);
        return Promise.resolve();
      }).then(
        () => this.scheduleDrain(partition),
        () => undefined,
      );
    });
  }

  private owned(partition: number): PartitionShards {
    const shards = this.partitions.get(partition);
    if (shards === undefined) throw new InternalError(`partition ${partition} is not open on this shard host`);
    return shards;
  }

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(fn, fn);
    this.chain = run.catch(() => undefined);
    return run;
  }
}
