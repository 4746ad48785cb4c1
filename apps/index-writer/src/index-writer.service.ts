import type { Logger } from 'pino';
import { InvalidInputError, reasonOf } from '@stylestream/errors';
import { assertIndexable, type Neighbour, type ShardSet, type ShardSnapshotStore } from '@stylestream/index';
import { type ConsumedMessage, type HandlerOutcome, Outcome, type SeekPosition, type TopicPartitions } from '@stylestream/kafka';
import { bytesToVector, type IndexUpdated, type VectorCleaned } from '@stylestream/schemas';
import type { IndexUpdateSink } from './index-update.sink';

export interface SnapshotPolicy {
  readonly everyOps: number;
  readonly everyMs: number;
}

export interface IndexWriterServiceDeps {
  readonly set: ShardSet;
  readonly store: ShardSnapshotStore;
  readonly updates: IndexUpdateSink;
  readonly policy: SnapshotPolicy;
  readonly logger: Logger;
  readonly now?: () => number;
}

interface PendingOffset {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
}

/**
 * Applies `vector-cleaned` records to the shards of one model version with
 * exactly-once effect on the index state (docs/DESIGN.md §11):
 * the state's applied offsets only move with the state, snapshots persist
 * both together, and the consumer is positioned from them (seekPositions),
 * so a record at or below the applied offset is skipped as already applied.
 * Every method runs exclusively (one at a time, in call order).
 *
 * Invalid records (wrong dimension, non-finite, not normalised, other model
 * version) come back as failed(InvalidInputError) and are dead-lettered by
 * the consumer after the call returns; their offsets count as applied only
 * at the next call (or close), when the dead letter is written, so a
 * snapshot never covers a dead letter that was not yet sent. This needs
 * the consumer to run one partition at a time (partitionsConcurrency 1).
 */
export class IndexWriterService {
  private readonly set: ShardSet;
  private readonly now: () => number;
  private chain: Promise<unknown> = Promise.resolve();
  private pending: PendingOffset[] = [];
  private firstUnsnapshottedAt: number | undefined;

  constructor(private readonly deps: IndexWriterServiceDeps) {
    this.set = deps.set;
    this.now = deps.now ?? Date.now;
  }

  /** One outcome per message, in order (a stageBatchRoute handler). */
  applyBatch(messages: readonly ConsumedMessage<VectorCleaned>[]): Promise<HandlerOutcome[]> {
    return this.exclusive(async () => {
      this.settlePending();
      await this.snapshotIfDueNow();
      const outcomes = messages.map((m) => this.applyOne(m));
      if (this.pending.length === 0) await this.snapshotIfDueNow();
      return outcomes;
    });
  }

  /** Where each assigned partition resumes: after the last applied offset, or at 0 when none is. */
  seekPositions(assigned: readonly TopicPartitions[]): SeekPosition[] {
    return assigned.flatMap(({ topic, partitions }) =>
      partitions.map((partition) => {
        const applied = this.set.appliedOffset(topic, partition);
        return { topic, partition, offset: String(applied === undefined ? 0 : applied + 1) };
      }),
    );
  }

  /** Timer entry point: snapshots when the policy says so and no dead letter is in flight. */
  snapshotIfDue(): Promise<void> {
    return this.exclusive(async () => {
      if (this.pending.length === 0) await this.snapshotIfDueNow();
    });
  }

  /** Final snapshot; call after the consumer stopped (every outcome settled). */
  close(): Promise<void> {
    return this.exclusive(async () => {
      this.settlePending();
      if (this.opsSinceSnapshot() > 0) await this.snapshot();
    });
  }

  search(vector: ArrayLike<number>, k: number, ef?: number): Promise<Neighbour[]> {
    return this.exclusive(() => Promise.resolve(this.set.search(vector, k, ef)));
  }

  imageIds(): Promise<string[]> {
    return this.exclusive(() => Promise.resolve(this.set.imageIds()));
  }

  private applyOne(m: ConsumedMessage<VectorCleaned>): HandlerOutcome {
    const offset = Number(m.offset);
    const applied = this.set.appliedOffset(m.topic, m.partition);
    if (applied !== undefined && offset <= applied) return Outcome.skipped('already applied (at or below the snapshot offset)');
    try {
      const outcome = this.effectOf(m);
      this.set.markApplied(m.topic, m.partition, offset);
      this.firstUnsnapshottedAt ??= this.now();
      return outcome;
    } catch (err) {
      this.pending.push({ topic: m.topic, partition: m.partition, offset });
      return Outcome.failed(err);
    }
  }

  private effectOf(m: ConsumedMessage<VectorCleaned>): HandlerOutcome {
    if (m.tombstone) {
      if (m.key === null) throw new InvalidInputError('tombstone without a key', 'TOMBSTONE_WITHOUT_KEY');
      if (this.set.delete(m.key)) return Outcome.processed();
      this.set.skip();
      return Outcome.skipped('tombstone for an image not in the index');
    }
    const value = m.value;
    if (value.modelVersion !== this.set.modelVersion) {
      throw new InvalidInputError(`model version ${value.modelVersion} is not the indexed ${this.set.modelVersion}`, 'UNKNOWN_MODEL_VERSION');
    }
    if (value.status !== 'UNIQUE') {
      this.set.skip();
      return Outcome.skipped(`status ${value.status}: duplicates are not indexed`);
    }
    if (value.vector.length !== value.dim * 4) throw new InvalidInputError(`vector holds ${value.vector.length} bytes, dim ${value.dim} needs ${value.dim * 4}`, 'VECTOR_DIMENSION');
    const vector = bytesToVector(value.vector);
    assertIndexable(vector, this.set.params.dim);
    this.set.upsert(value.imageId, vector);
    return Outcome.processed();
  }

  private settlePending(): void {
    for (const p of this.pending) this.set.markApplied(p.topic, p.partition, p.offset);
    if (this.pending.length > 0) this.firstUnsnapshottedAt ??= this.now();
    this.pending = [];
  }

  private opsSinceSnapshot(): number {
    const { added, replaced, deleted, skipped } = this.set.ops;
    return added + replaced + deleted + skipped + (this.firstUnsnapshottedAt === undefined ? 0 : 1);
  }

  private async snapshotIfDueNow(): Promise<void> {
    if (this.firstUnsnapshottedAt === undefined) return;
    const { added, replaced, deleted, skipped } = this.set.ops;
    const ops = added + replaced + deleted + skipped;
    if (ops >= this.deps.policy.everyOps || this.now() - this.firstUnsnapshottedAt >= this.deps.policy.everyMs) await this.snapshot();
  }

  private async snapshot(): Promise<void> {
    const ops = { ...this.set.ops };
    const sealed = this.set.newlySealed();
    const result = await this.deps.store.save(this.set);
    this.firstUnsnapshottedAt = undefined;
    const at = this.now();
    const partitions = this.set.appliedOffsets().map((o) => ({ topic: o.topic, partition: o.partition, offset: o.offset }));
    const record = (shardId: string, isSealed: boolean, vectorCount: number, shardOps: IndexUpdated['ops']): IndexUpdated => ({
      shardId,
      partitions,
      ops: shardOps,
      vectorCount,
      snapshotVersion: result.snapshotVersion,
      sealed: isSealed,
      at,
    });
    const none = { added: 0, replaced: 0, deleted: 0, skipped: 0 };
    const updates = [
      ...this.set.sealed.filter((s) => sealed.includes(s.shardId)).map((s) => record(s.shardId, true, s.size, none)),
      record(this.set.growing.shardId, false, this.set.growing.size, ops),
    ];
    this.deps.logger.info({ snapshotVersion: result.snapshotVersion, shardsWritten: result.shardsWritten, durationMs: result.durationMs, ops, sealed }, 'index snapshot written');
    try {
      await this.deps.updates.publish(updates);
    } catch (err) {
      this.deps.logger.warn({ reason: reasonOf(err), snapshotVersion: result.snapshotVersion }, 'index-updated not published; the next snapshot supersedes it');
    }
  }

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(fn, fn);
    this.chain = run.catch(() => undefined);
    return run;
  }
}
