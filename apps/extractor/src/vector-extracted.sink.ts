import type { AvroProducer, OutgoingRecord } from '@stylestream/kafka';
import type { TopicContract, VectorExtracted } from '@stylestream/schemas';

/**
 * Publishes `vector-extracted` records (key = imageId; value null = tombstone) in
 * the given order. Resolves once the broker acknowledged all of them; rejects with
 * DependencyUnavailableError when it cannot (the consumer pauses and redelivers the
 * batch; records already written are rewritten with identical vectors).
 */
export interface VectorExtractedSink {
  publish(records: readonly OutgoingRecord<VectorExtracted>[]): Promise<void>;
}

export class KafkaVectorExtractedSink implements VectorExtractedSink {
  constructor(
    private readonly producer: AvroProducer,
    private readonly contract: TopicContract<VectorExtracted>,
  ) {}

  async publish(records: readonly OutgoingRecord<VectorExtracted>[]): Promise<void> {
    if (records.length > 0) await this.producer.sendBatch(this.contract, records);
  }
}
