import type { DeadLetter } from '@stylestream/schemas';
import { deadLetterContractFor } from '@stylestream/schemas';
import type { DeadLetterSink } from '../consumer/partition-batch.processor';
import type { AvroProducer } from './avro-producer';

/**
 * Writes dead-letter envelopes to `<sourceTopic>.dlq` as Avro (the
 * dead-letter contract), keyed by the original key so a replay lands on the
 * same partitions. A few headers repeat the envelope's classification so
 * tools can filter without decoding.
 */
export class DeadLetterPublisher implements DeadLetterSink {
  constructor(private readonly producer: AvroProducer) {}

  async send(envelope: DeadLetter): Promise<void> {
    await this.producer.send(deadLetterContractFor(envelope.sourceTopic), envelope.key, envelope, {
      'x-stylestream-stage': envelope.stage,
      'x-stylestream-error-class': envelope.errorClass,
      'x-stylestream-source': `${envelope.sourceTopic}/${envelope.sourcePartition}/${envelope.sourceOffset}`,
    });
  }
}
