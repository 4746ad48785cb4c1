import type { Logger } from 'pino';
import { DependencyUnavailableError, InternalError, InvalidInputError, reasonOf } from '@stylestream/errors';
import { assertIndexable, type IndexOp, type OpResult, type ShardHost, type SnapshotReport } from '@stylestream/index';
import { type ConsumedMessage, type HandlerOutcome, Outcome } from '@stylestream/kafka';
import { bytesToVector, type VectorCleaned } from '@stylestream/schemas';
import type { IndexUpdateSink } from './index-update.sink';
import type { IndexWriterMetrics } from './index-writer.metrics';
import type { OwnedPartition, PartitionOwnership } from './partition-ownership';

export interface IndexWriterServiceDeps {
  readonly host: ShardHost;
  readonly ownership: PartitionOwnership;
  readonly modelVersion: string;
  /** Records of another version: dead-lettered (default) or skipped (another writer indexes them). */
  readonly otherVersions?: 'dead-letter' | 'skip';
  readonly dim: number;
  readonly updates: IndexUpdateSink;
  readonly metrics?: IndexWriterMetrics;
  readonly logger: Logger;
  readonly now?: () => number;
}

/** A record turned into an index op, or why it cannot be one. */
type Decoded = { readonly op: IndexOp } | { readonly skipped: string } | { readonly failed: unknown };

const isFailed = (d: Decoded | undefined): boolean => d !== undefined && 'failed' in d;

/**
 * Applies `vector-cleaned` batches to the shards of their partition with
 * exactly-once effect on the index state (docs/DESIGN.md §11):
 * records are decoded and validated here (main thread), the ops run on the
 * partition's shard host, which applies each op together with its offset
 * and snapshots both. A record at or below the applied offset is skipped.
 *
 * Invalid records (wrong dimension, non-finite, not normalised, other model
 * version, keyless tombstone) come back as failed(InvalidInputError) and
 * are dead-lettered by the consumer after the call returns; their offsets
 * count as applied only at the partition's next batch (when they lie before
 * it, i.e. their dead letter was written) or at close, and a partition with
 * such offsets outstanding is not snapshotted: a snapshot never covers an
 * unsent dead letter. Calls for one partition run one at a time.
 */
export class IndexWriterService {
  private readonly now: () => number;

  constructor(private readonly deps: IndexWriterServiceDeps) {
    this.now = deps.now ?? Date.now;
  }

  /** One outcome per message, in order (a stageBatchRoute handler; one partition per call). */
  applyBatch(messages: readonly ConsumedMessage<VectorCleaned>[]): Promise<HandlerOutcome[]> {
    const first = messages[0];
    if (first === undefined) return Promise.resolve([]);
    const slot = this.deps.ownership.slot(first.partition);
    return this.inSlot(slot, async () => {
      await slot.loaded.catch((err: unknown) => {
        throw new DependencyUnavailableError('index-shards', `partition ${slot.partition} shards are not loaded`, err);
      });
      const firstOffset = Number(first.offset);
      const settled = slot.pending.filter((o) => o < firstOffset);
      slot.pending = slot.pending.filter((o) => o >= firstOffset);
      const decoded = messages.map((m) => this.decode(m, slot.appliedOffset));
      const ops = decoded.flatMap((d) => ('op' in d ? [d.op] : []));
      const failedOffsets = messages.filter((_, i) => isFailed(decoded[i])).map((m) => Number(m.offset));
      // A host failure (a crashed worker) must pause the partition, never dead-letter the batch.
      const result = await this.deps.host.apply(slot.partition, ops, settled, failedOffsets.length === 0).catch((err: unknown) => {
        slot.pending.push(...settled);
        throw new DependencyUnavailableError('index-shards', `partition ${slot.partition} apply failed`, err);
      });
      const appliedAt = this.now();
      slot.appliedOffset = result.appliedOffset;
      for (const o of failedOffsets) if (!slot.pending.includes(o)) slot.pending.push(o);
      const byOffset = new Map(ops.map((op, i) => [op.offset, result.results[i]]));
      const outcomes = messages.map((m, i) => this.outcomeOf(m, decoded[i], byOffset.get(Number(m.offset)), appliedAt));
      this.deps.metrics?.batchApplied(first.topic, result, failedOffsets.length);
      await this.report(result.snapshots);
      if (result.compacted.length > 0) this.deps.logger.info({ partition: slot.partition, shards: result.compacted }, 'shards compacted');
      return outcomes;
    });
  }

  /** Timer entry point: snapshots each owned partition whose policy says so and that has no dead letter in flight. */
  async snapshotIfDue(): Promise<void> {
    for (const slot of this.deps.ownership.partitions()) {
      if (!slot.isLoaded || slot.pending.length > 0) continue;
      await this.inSlot(slot, async () => {
        if (slot.pending.length > 0 || !slot.isLoaded) return;
        await this.report(await this.deps.host.snapshot(slot.partition, false));
      });
    }
  }

  /** Final snapshots; call after the consumer stopped (every dead letter written). */
  async close(): Promise<void> {
    for (const slot of this.deps.ownership.partitions()) {
      await this.inSlot(slot, async () => {
        if (!slot.isLoaded) return;
        const settled = slot.pending;
        slot.pending = [];
        if (settled.length > 0) await this.deps.host.apply(slot.partition, [], settled, false);
        await this.report(await this.deps.host.snapshot(slot.partition, true));
      });
    }
  }

  private decode(m: ConsumedMessage<VectorCleaned>, applied: number | undefined): Decoded {
    const offset = Number(m.offset);
    if (applied !== undefined && offset <= applied) return { skipped: 'already applied (at or below the snapshot offset)' };
    try {
      if (m.tombstone) {
        if (m.key === null) throw new InvalidInputError('tombstone without a key', 'TOMBSTONE_WITHOUT_KEY');
        return { op: { kind: 'delete', offset, imageId: m.key } };
      }
      const value = m.value;
      if (value.modelVersion !== this.deps.modelVersion) {
        if (this.deps.otherVersions === 'skip') return { op: { kind: 'skip', offset } };
        throw new InvalidInputError(`model version ${value.modelVersion} is not the indexed ${this.deps.modelVersion}`, 'UNKNOWN_MODEL_VERSION');
      }
      if (value.status !== 'UNIQUE') return { op: { kind: 'skip', offset } };
      if (value.vector.length !== value.dim * 4) throw new InvalidInputError(`vector holds ${value.vector.length} bytes, dim ${value.dim} needs ${value.dim * 4}`, 'VECTOR_DIMENSION');
      const vector = Float32Array.from(bytesToVector(value.vector));
      assertIndexable(vector, this.deps.dim);
      return { op: { kind: 'upsert', offset, imageId: value.imageId, vector } };
    } catch (err) {
      return { failed: err };
    }
  }

  private outcomeOf(m: ConsumedMessage<VectorCleaned>, decoded: Decoded | undefined, result: OpResult | undefined, appliedAt: number): HandlerOutcome {
    if (decoded === undefined) return Outcome.failed(new InternalError('no decision for the record'));
    if ('failed' in decoded) return Outcome.failed(decoded.failed);
    if ('skipped' in decoded) return Outcome.skipped(decoded.skipped);
    switch (result) {
      case 'added':
      case 'replaced':
        this.deps.metrics?.searchable(Number(m.timestamp), appliedAt);
        return Outcome.processed();
      case 'deleted':
        return Outcome.processed();
      case 'absent':
        return Outcome.skipped('tombstone for an image not in the index');
      case 'skipped':
        if (m.value !== null && m.value.modelVersion !== this.deps.modelVersion) return Outcome.skipped(`model version ${m.value.modelVersion} is indexed by another writer`);
        return Outcome.skipped(`status ${m.value?.status ?? 'unknown'}: duplicates are not indexed`);
      case 'already-applied':
        return Outcome.skipped('already applied (at or below the snapshot offset)');
      case undefined:
        return Outcome.failed(new InternalError('the shard host returned no result for the record'));
    }
  }

  private async report(snapshots: readonly SnapshotReport[]): Promise<void> {
    for (const s of snapshots) {
      this.deps.metrics?.snapshotWritten(s);
      this.deps.logger.info({ partition: s.partition, snapshotVersion: s.snapshotVersion, shardsWritten: s.shardsWritten, durationMs: s.durationMs }, 'index snapshot written');
      try {
        await this.deps.updates.publish(s.updates);
      } catch (err) {
        this.deps.logger.warn({ reason: reasonOf(err), snapshotVersion: s.snapshotVersion }, 'index-updated not published; the next snapshot supersedes it');
      }
    }
  }

  private inSlot<T>(slot: OwnedPartition, fn: () => Promise<T>): Promise<T> {
    const run = slot.chain.then(fn, fn);
    slot.chain = run.catch(() => undefined);
    return run;
  }
}
