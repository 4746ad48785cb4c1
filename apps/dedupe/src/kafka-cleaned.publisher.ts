import type { AvroProducer } from '@stylestream/kafka';
import type { TopicContract, VectorCleaned } from '@stylestream/schemas';
import type { CleanedPublisher } from './dedupe.ports';

/** Publishes decisions to `vector-cleaned` (Avro, key = image id) through the shared producer. */
export class KafkaCleanedPublisher implements CleanedPublisher {
  constructor(
    private readonly producer: AvroProducer,
    private readonly contract: TopicContract<VectorCleaned>,
  ) {}

  async publish(imageId: string, value: VectorCleaned | null): Promise<void> {
    await this.producer.send(this.contract, imageId, value);
  }
}
