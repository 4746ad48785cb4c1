import type { ShardUpdate } from '@stylestream/index';
import type { AvroProducer } from '@stylestream/kafka';
import type { IndexUpdated, TopicContract } from '@stylestream/schemas';

/**
 * Publishes `index-updated` progress records (key = shardId). Resolves once
 * the broker acknowledged every record; throws DependencyUnavailableError
 * when it cannot (the writer logs it: a later snapshot reports the newer
 * offsets, so a lost report is superseded, never wrong).
 */
export interface IndexUpdateSink {
  publish(updates: readonly ShardUpdate[]): Promise<void>;
}

export class KafkaIndexUpdateSink implements IndexUpdateSink {
  constructor(
    private readonly producer: AvroProducer,
    private readonly contract: TopicContract<IndexUpdated>,
  ) {}

  async publish(updates: readonly ShardUpdate[]): Promise<void> {
    if (updates.length === 0) return;
    await this.producer.sendBatch(
      this.contract,
      updates.map((u) => ({ key: u.shardId, value: { ...u, partitions: u.partitions.map((p) => ({ ...p })), ops: { ...u.ops } } })),
    );
  }
}
