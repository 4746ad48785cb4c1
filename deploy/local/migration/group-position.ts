import type { Kafka } from 'kafkajs';
import { DependencyUnavailableError } from '@stylestream/errors';
import { replayPosition, type ReplayPosition } from './replay-progress';

/** Where `groupId` stands on `topic` now (watermarks and committed offsets read with the admin client). */
export async function groupPosition(kafka: Kafka, groupId: string, topic: string): Promise<ReplayPosition> {
  const admin = kafka.admin();
  try {
    await admin.connect();
    const ends = (await admin.fetchTopicOffsets(topic)).map((p) => ({ partition: p.partition, low: Number(p.low), high: Number(p.high) }));
    const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
    return replayPosition(ends, new Map((committed?.partitions ?? []).map((p) => [p.partition, Number(p.offset)])));
  } catch (err) {
    throw new DependencyUnavailableError('kafka', `position of group ${groupId} on ${topic}`, err);
  } finally {
    await admin.disconnect();
  }
}
