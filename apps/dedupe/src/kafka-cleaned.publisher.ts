import type { AvroProducer } from '@stylestream/kafka';
import type { TopicContract, VectorCleaned } from '@stylestream/schemas';
import type { CleanedPublisher, CleanedRecord } from './dedupe.ports';

/** Estimated Avro size of a record beyond its vector bytes (ids, hashes, model version, numbers). */
const RECORD_OVERHEAD_BYTES = 1_024;
/** Estimated bytes per produce request, well under the broker's default message.max.bytes (1 MiB) for one partition's batch. */
const MAX_REQUEST_BYTES = 512 * 1024;

/**
 * Publishes decisions to `vector-cleaned` (Avro, key = image id) through the shared producer,
 * in the given order: one produce request per chunk of at most ~512 KiB (estimated from the
 * vector sizes), chunks sent one after another.
 */
export class KafkaCleanedPublisher implements CleanedPublisher {
  constructor(
    private readonly producer: AvroProducer,
    private readonly contract: TopicContract<VectorCleaned>,
  ) {}

  async publish(records: readonly CleanedRecord[]): Promise<void> {
    let chunk: CleanedRecord[] = [];
    let bytes = 0;
    for (const record of records) {
      const size = RECORD_OVERHEAD_BYTES + (record.value?.vector.length ?? 0);
      if (chunk.length > 0 && bytes + size > MAX_REQUEST_BYTES) {
        await this.send(chunk);
        chunk = [];
        bytes = 0;
      }
      chunk.push(record);
      bytes += size;
    }
    if (chunk.length > 0) await this.send(chunk);
  }

  private async send(records: readonly CleanedRecord[]): Promise<void> {
    await this.producer.sendBatch(
      this.contract,
      records.map((r) => ({ key: r.imageId, value: r.value })),
    );
  }
}
