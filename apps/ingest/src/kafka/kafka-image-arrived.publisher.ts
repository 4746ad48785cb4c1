import type { Admin } from 'kafkajs';
import type { Logger } from 'pino';
import { DependencyUnavailableError, InternalError } from '@stylestream/errors';
import type { AvroProducer } from '@stylestream/kafka';
import type { TopicContract } from '@stylestream/schemas';
import type { ImageArrived } from '../domain/image-arrived';
import type { ImageArrivedPublisher, PublishReceipt } from '../domain/image-arrived-publisher.port';
import { receiptsFor } from './publish-receipts';

/**
 * Kafka adapter of the ImageArrivedPublisher port: Avro values through the
 * library's idempotent AvroProducer (acks=all), key = image id. The admin
 * client only reads the topic's partition count, to turn the per-partition
 * base offsets of a produce response into one receipt per record.
 */
export class KafkaImageArrivedPublisher implements ImageArrivedPublisher {
  private partitionCount: Promise<number> | undefined;

  constructor(
    private readonly producer: AvroProducer,
    private readonly admin: Admin,
    private readonly contract: TopicContract<ImageArrived>,
    private readonly logger: Logger,
  ) {}

  async publish(events: readonly ImageArrived[]): Promise<PublishReceipt[]> {
    if (events.length === 0) return [];
    const metadata = await this.producer.sendBatch(
      this.contract,
      events.map((e) => ({ key: e.imageId, value: e })),
    );
    return this.receipts(
      events.map((e) => e.imageId),
      metadata,
    );
  }

  async publishTombstone(imageId: string): Promise<PublishReceipt> {
    const metadata = await this.producer.send(this.contract, imageId, null);
    const [receipt] = await this.receipts([imageId], metadata);
    if (receipt === undefined) throw new InternalError(`no receipt for the tombstone of ${imageId}`);
    return receipt;
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.producer.disconnect(), this.admin.disconnect()]);
  }

  private async receipts(keys: string[], metadata: Parameters<typeof receiptsFor>[3]): Promise<PublishReceipt[]> {
    const topic = this.contract.topic;
    const found = receiptsFor(topic, keys, await this.partitions(false), metadata) ?? receiptsFor(topic, keys, await this.partitions(true), metadata);
    if (found === undefined) {
      // The records are written; only the mapping to offsets failed. Say so rather than ask for a re-send.
      this.logger.error({ topic, metadata }, 'produce response does not match the key partitioner');
      throw new InternalError(`records were written to ${topic} but their offsets could not be mapped (partitioner mismatch)`);
    }
    return found;
  }

  private partitions(refresh: boolean): Promise<number> {
    if (refresh || this.partitionCount === undefined) {
      const topic = this.contract.topic;
      const lookup = this.admin
        .fetchTopicMetadata({ topics: [topic] })
        .then((m) => m.topics[0]?.partitions.length ?? 0)
        .catch((err: unknown) => {
          this.partitionCount = undefined;
          throw new DependencyUnavailableError('kafka', `metadata of ${topic} unavailable`, err);
        });
      this.partitionCount = lookup;
    }
    return this.partitionCount;
  }
}
