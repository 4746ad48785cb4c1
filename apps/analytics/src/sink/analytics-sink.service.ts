import type { ConsumedMessage, HandlerOutcome, StageBatchHandler } from '@stylestream/kafka';
import { Outcome, submitEach } from '@stylestream/kafka';
import type { ImageArrived, IndexUpdated, VectorCleaned } from '@stylestream/schemas';
import { DedupRow, IndexProgressRow, dedupDeletionOf, dedupRowOf, indexProgressRowsOf } from '../domain/dedup-rows';
import { FactChange, factRowOf, planFactRows } from '../domain/fact-rows';
import type { AnalyticsStore } from './analytics-store.port';
import { BatchPolicy, RowBatcher } from './row-batcher';

export interface AnalyticsSinkOptions {
  readonly batch: BatchPolicy;
  /** The vector-cleaned topic: what a null topic in index-updated means. */
  readonly cleanedTopic: string;
}

/**
 * Turns the three input streams into versioned rows and writes them in
 * batches. Each method resolves with the message's outcome only after the
 * batch holding its rows was written (processed), or with failed(error)
 * when the write failed: DependencyUnavailableError pauses the partition and
 * the message comes again, so an offset is committed only after its insert.
 * The version of every row is the Kafka offset of its event.
 *
 * The `*Batch` handlers (for stageBatchRoute) add a partition's messages to
 * the batcher together, in offset order, so they share one insert (with the
 * batches of other partitions that arrive within the linger); one outcome per
 * message, in order.
 */
export class AnalyticsSinkService {
  private readonly facts: RowBatcher<FactChange>;
  private readonly dedup: RowBatcher<DedupRow>;
  private readonly progress: RowBatcher<IndexProgressRow[]>;

  constructor(
    private readonly store: AnalyticsStore,
    private readonly options: AnalyticsSinkOptions,
  ) {
    this.facts = new RowBatcher((changes) => this.writeFacts(changes), options.batch);
    this.dedup = new RowBatcher((rows) => store.insertDedup(rows), options.batch);
    this.progress = new RowBatcher((groups) => store.insertIndexProgress(groups.flat()), options.batch);
  }

  imageArrived(message: ConsumedMessage<ImageArrived>): Promise<HandlerOutcome> {
    const version = Number(message.offset);
    if (message.tombstone) {
      if (message.key === null) return Promise.resolve(Outcome.skipped('tombstone without key'));
      return this.settle(this.facts.add({ kind: 'delete', imageId: message.key, version }));
    }
    return this.settle(this.facts.add({ kind: 'upsert', version, row: factRowOf(message.value, version) }));
  }

  vectorCleaned(message: ConsumedMessage<VectorCleaned>): Promise<HandlerOutcome> {
    const at = { topic: message.topic, partition: message.partition, offset: Number(message.offset) };
    if (message.tombstone) {
      if (message.key === null) return Promise.resolve(Outcome.skipped('tombstone without key'));
      return this.settle(this.dedup.add(dedupDeletionOf(message.key, at)));
    }
    return this.settle(this.dedup.add(dedupRowOf(message.value, at)));
  }

  indexUpdated(message: ConsumedMessage<IndexUpdated>): Promise<HandlerOutcome> {
    // Keyed by shard: it says how far each shard got per vector-cleaned partition, nothing per image.
    if (message.tombstone) return Promise.resolve(Outcome.skipped('index-updated tombstone: shard progress is kept'));
    const rows = indexProgressRowsOf(message.value, Number(message.offset), this.options.cleanedTopic);
    if (rows.length === 0) return Promise.resolve(Outcome.skipped('index-updated without partitions'));
    return this.settle(this.progress.add(rows));
  }

  readonly imageArrivedBatch: StageBatchHandler<ImageArrived> = submitEach((m) => this.imageArrived(m));

  readonly vectorCleanedBatch: StageBatchHandler<VectorCleaned> = submitEach((m) => this.vectorCleaned(m));

  readonly indexUpdatedBatch: StageBatchHandler<IndexUpdated> = submitEach((m) => this.indexUpdated(m));

  /** Writes what is waiting (at shutdown, after consumption stopped). */
  async drain(): Promise<void> {
    await Promise.all([this.facts.drain(), this.dedup.drain(), this.progress.drain()]);
  }

  private async writeFacts(changes: readonly FactChange[]): Promise<void> {
    const ids = changes.map((c) => (c.kind === 'upsert' ? c.row.image_id : c.imageId));
    const stored = await this.store.storedFactKeys(ids);
    await this.store.insertFacts(planFactRows(changes, stored));
  }

  private async settle(written: Promise<void>): Promise<HandlerOutcome> {
    try {
      await written;
      return Outcome.processed();
    } catch (err) {
      return Outcome.failed(err);
    }
  }
}
