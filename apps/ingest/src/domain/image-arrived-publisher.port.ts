import type { ImageArrived } from './image-arrived';

/** Where one published record landed. `offset` is a string: Kafka offsets are int64. */
export interface PublishReceipt {
  imageId: string;
  topic: string;
  partition: number;
  offset: string;
}

/**
 * Port: publishes `image-arrived` records keyed by image id.
 *
 * - `publish` resolves once every event is acknowledged by the broker (acks
 *   from all in-sync replicas, idempotent producer), with one receipt per event
 *   in input order. It rejects with a retriable DependencyUnavailableError when
 *   the broker or schema registry cannot be reached; then none, some or all
 *   events may have been written, and re-sending the same events is safe
 *   because keys are deterministic and every consumer is idempotent.
 * - `publishTombstone` writes a null value keyed by the id ("take this image
 *   down"), with the same acknowledgement and error contract.
 * - `close` flushes and disconnects; no call may follow it.
 */
export interface ImageArrivedPublisher {
  publish(events: readonly ImageArrived[]): Promise<PublishReceipt[]>;
  publishTombstone(imageId: string): Promise<PublishReceipt>;
  close(): Promise<void>;
}

/** Nest injection token for the ImageArrivedPublisher port. */
export const IMAGE_ARRIVED_PUBLISHER = Symbol('ImageArrivedPublisher');
