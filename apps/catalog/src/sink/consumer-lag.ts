import type { Kafka } from 'kafkajs';
import { DependencyUnavailableError } from '@stylestream/errors';

/**
 * Messages of `topics` the group has not committed yet: the sum over
 * partitions of (high watermark − committed offset), a partition the group
 * never committed counting from its low watermark.
 */
export async function consumerLag(kafka: Kafka, groupId: string, topics: readonly string[]): Promise<number> {
  const admin = kafka.admin();
  try {
    await admin.connect();
    const committed = await admin.fetchOffsets({ groupId, topics: [...topics] });
    let lag = 0;
    for (const topic of topics) {
      const ends = await admin.fetchTopicOffsets(topic);
      const mine = committed.find((c) => c.topic === topic)?.partitions ?? [];
      for (const end of ends) {
        const at = Number(mine.find((p) => p.partition === end.partition)?.offset ?? '-1');
        lag += Math.max(0, Number(end.high) - (at < 0 ? Number(end.low) : at));
      }
    }
    return lag;
  } catch (err) {
    throw new DependencyUnavailableError('kafka', `lag of group ${groupId}`, err);
  } finally {
    await admin.disconnect();
  }
}
