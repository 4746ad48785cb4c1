import type { Logger } from 'pino';
import { reasonOf } from '@stylestream/errors';
import { snapshotOffsetOnDisk, type ShardHost, type ShardHostOptions } from '@stylestream/index';
import type { SeekPosition, TopicPartitions } from '@stylestream/kafka';

/** The main thread's view of one owned partition. */
export interface OwnedPartition {
  readonly partition: number;
  /** Resolves once the host holds the partition's shards (loaded from its snapshot). */
  readonly loaded: Promise<void>;
  isLoaded: boolean;
  loadError: string | undefined;
  /** Mirror of the host's applied offset (updated after each apply). */
  appliedOffset: number | undefined;
  /** Offsets of records failed in the last batch, dead-lettered by the consumer after it returned. */
  pending: number[];
  /** Serialises this partition's calls (batches, timed snapshots, release). */
  chain: Promise<unknown>;
}

/**
 * Shard ownership follows the consumer group's partition assignment. On every
 * join (start and rebalance), synchronously: partitions no longer assigned
 * are released (dropped from the host after their in-flight call, without a
 * snapshot: the next owner replays from the last one), newly assigned ones
 * start loading from their snapshot, and each assigned partition is sought
 * to its applied offset + 1 (the in-memory one for kept partitions, the one
 * in the snapshot's manifest on disk for new ones; 0 without a snapshot).
 * A snapshot loaded later than the seek can only be newer, and records at or
 * below it are skipped as already applied.
 */
export class PartitionOwnership {
  private readonly owned = new Map<number, OwnedPartition>();
  private readonly releasing = new Map<number, Promise<void>>();
  private joined = false;

  constructor(
    private readonly host: ShardHost,
    private readonly options: Pick<ShardHostOptions, 'dataDir' | 'topic' | 'modelVersion'>,
    private readonly logger: Logger,
  ) {}

  /** seekOnJoin hook of the StageConsumer. */
  onJoin(assigned: readonly TopicPartitions[]): SeekPosition[] {
    this.joined = true;
    const now = new Set(assigned.filter((a) => a.topic === this.options.topic).flatMap((a) => a.partitions));
    for (const [partition, slot] of this.owned) {
      if (now.has(partition)) continue;
      this.owned.delete(partition);
      const release = slot.chain.then(() => this.host.release(partition)).catch((err: unknown) => this.logger.error({ partition, reason: reasonOf(err) }, 'release failed'));
      slot.chain = release;
      this.releasing.set(partition, release);
      void release.then(() => {
        if (this.releasing.get(partition) === release) this.releasing.delete(partition);
      });
      this.logger.info({ partition }, 'partition revoked; shards released');
    }
    const positions: SeekPosition[] = [];
    for (const partition of [...now].sort((a, b) => a - b)) {
      const slot = this.owned.get(partition) ?? this.acquire(partition);
      positions.push({ topic: this.options.topic, partition, offset: String(slot.appliedOffset === undefined ? 0 : slot.appliedOffset + 1) });
    }
    return positions;
  }

  /** The slot of an owned partition; a batch of a partition not (yet) seen at a join acquires it. */
  slot(partition: number): OwnedPartition {
    return this.owned.get(partition) ?? this.acquire(partition);
  }

  partitions(): OwnedPartition[] {
    return [...this.owned.values()].sort((a, b) => a.partition - b.partition);
  }

  /** Ready once the group was joined and every assigned partition is loaded; else the reason. */
  readiness(): { ready: true } | { ready: false; reason: string } {
    if (!this.joined) return { ready: false, reason: 'not joined to the consumer group yet' };
    const failed = this.partitions().filter((p) => p.loadError !== undefined);
    if (failed.length > 0) return { ready: false, reason: `partitions ${failed.map((p) => `${p.partition} (${p.loadError})`).join(', ')} failed to load` };
    const loading = this.partitions().filter((p) => !p.isLoaded);
    if (loading.length > 0) return { ready: false, reason: `loading partitions ${loading.map((p) => p.partition).join(', ')}` };
    return { ready: true };
  }

  private acquire(partition: number): OwnedPartition {
    const started = Date.now();
    const released = this.releasing.get(partition) ?? Promise.resolve();
    const slot: OwnedPartition = {
      partition,
      loaded: released.then(() => this.host.open(partition)).then(
        (opened) => {
          slot.isLoaded = true;
          slot.appliedOffset = opened.appliedOffset;
          this.logger.info({ partition, snapshotVersion: opened.snapshotVersion, vectors: opened.vectors, appliedOffset: opened.appliedOffset, ms: Date.now() - started }, 'partition shards loaded');
        },
        (err: unknown) => {
          slot.loadError = reasonOf(err);
          this.logger.error({ partition, reason: slot.loadError }, 'partition shards failed to load');
          throw err;
        },
      ),
      isLoaded: false,
      loadError: undefined,
      appliedOffset: snapshotOffsetOnDisk(this.options, partition),
      pending: [],
      chain: Promise.resolve(),
    };
    slot.chain = slot.loaded.catch(() => undefined);
    this.owned.set(partition, slot);
    return slot;
  }
}
