import type { Kafka } from 'kafkajs';
import { DependencyUnavailableError } from '@stylestream/errors';

/** A partition's watermarks: `low` is its first retained offset, `high` the next offset to be written. */
export interface PartitionWatermarks {
  readonly partition: number;
  readonly low: number;
  readonly high: number;
}

/**
 * Records not yet committed: the sum over partitions of (high − committed),
 * a partition without a committed offset (absent or negative) counting from
 * its low watermark. Pure; 0 means caught up.
 */
export function uncommittedRecords(ends: readonly PartitionWatermarks[], committed: ReadonlyMap<number, number>): number {
  return ends.reduce((sum, end) => {
    const at = committed.get(end.partition) ?? -1;
    return sum + Math.max(0, end.high - (at < 0 ? end.low : at));
  }, 0);
}

/**
 * Messages of `topics` the group has not committed yet (see
 * `uncommittedRecords`), read with the admin client. Kafka errors become
 * DependencyUnavailableError.
 */
export async function consumerLag(kafka: Kafka, groupId: string, topics: readonly string[]): Promise<number> {
  const admin = kafka.admin();
  try {
    await admin.connect();
    const committed = await admin.fetchOffsets({ groupId, topics: [...topics] });
    let lag = 0;
    for (const topic of topics) {
      const ends = (await admin.fetchTopicOffsets(topic)).map((e) => ({ partition: e.partition, low: Number(e.low), high: Number(e.high) }));
      const mine = committed.find((c) => c.topic === topic)?.partitions ?? [];
      lag += uncommittedRecords(ends, new Map(mine.map((p) => [p.partition, Number(p.offset)])));
    }
    return lag;
  } catch (err) {
    throw new DependencyUnavailableError('kafka', `lag of group ${groupId}`, err);
  } finally {
    await admin.disconnect();
  }
}
