import { InvalidInputError } from '@stylestream/errors';
import { type ConsumedMessage, type HandlerOutcome, Outcome } from '@stylestream/kafka';
import type { ImageArrived, IndexUpdated, VectorCleaned } from '@stylestream/schemas';
import { type CatalogBulkBatcher, type CatalogWrite, externalVersionOf, mergeImageArrived, mergeTakeDown, mergeVectorCleaned } from '@stylestream/catalog';

/**
 * The catalogue's Kafka handlers: decode is done; each turns its message into
 * one catalogue write, waits for the bulk it joined, and maps the write's
 * result to the message's outcome (applied → processed, unchanged → skipped,
 * failed → failed: DependencyUnavailableError pauses the partition,
 * a rejected document is dead-lettered with Elasticsearch's reason).
 */
export class CatalogSinkHandlers {
  constructor(private readonly batcher: CatalogBulkBatcher) {}

  imageArrived = (message: ConsumedMessage<ImageArrived>): Promise<HandlerOutcome> => {
    const id = message.key;
    if (id === null || id === '') return Promise.resolve(Outcome.failed(new InvalidInputError('image-arrived record without a key (image id)', 'KEY_MISSING')));
    const offset = Number(message.offset);
    if (message.tombstone) return this.write({ kind: 'merge', id, merge: mergeTakeDown(id, offset) });
    if (message.value.imageId !== id) {
      return Promise.resolve(Outcome.failed(new InvalidInputError(`key ${id} differs from imageId ${message.value.imageId}`, 'KEY_MISMATCH')));
    }
    return this.write({ kind: 'merge', id, merge: mergeImageArrived(id, message.value, offset) });
  };

  vectorCleaned = (message: ConsumedMessage<VectorCleaned>): Promise<HandlerOutcome> => {
    if (message.tombstone) return Promise.resolve(Outcome.skipped('vector-cleaned tombstone: take-downs reach the catalogue through image-arrived'));
    const id = message.value.imageId;
    return this.write({ kind: 'merge', id, merge: mergeVectorCleaned(id, message.value, message.partition, Number(message.offset)) });
  };

  indexUpdated = (message: ConsumedMessage<IndexUpdated>): Promise<HandlerOutcome> => {
    if (message.tombstone) return Promise.resolve(Outcome.skipped('index-updated tombstone: nothing to record'));
    const v = message.value;
    const doc = {
      shardId: v.shardId,
      snapshotVersion: v.snapshotVersion,
      vectorCount: v.vectorCount,
      sealed: v.sealed,
      at: v.at,
      partitions: v.partitions.map((p) => ({ topic: p.topic ?? null, partition: p.partition, offset: p.offset })),
      ops: v.ops,
    };
    return this.write({ kind: 'versioned', id: v.shardId, version: externalVersionOf(message.offset), doc });
  };

  private async write(write: CatalogWrite): Promise<HandlerOutcome> {
    try {
      const result = await this.batcher.submit(write);
      switch (result.status) {
        case 'applied':
          return Outcome.processed();
        case 'unchanged':
          return Outcome.skipped(result.reason);
        case 'failed':
          return Outcome.failed(result.error);
      }
    } catch (err) {
      return Outcome.failed(err);
    }
  }
}
