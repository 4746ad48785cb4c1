import { randomBytes } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { DependencyUnavailableError, reasonOf } from '@stylestream/errors';
import { DEDUP_STATUSES, SchemaRegistryGateway, dlqTopicOf, vectorCleanedContract, type DedupStatus } from '@stylestream/schemas';
import { readTopicOffsets, type PartitionOffsets } from './demo-arrivals';
import type { DemoNaming } from './demo-apps';

/** End offsets of the chain's output and dead-letter topics, taken before the stages start. */
export type ChainMarks = Map<string, PartitionOffsets[]>;

/** What the stages wrote during this run. */
export interface ChainSummary {
  vectorExtracted: number;
  /** vector-cleaned records of this run by dedup status. */
  cleaned: Record<DedupStatus, number>;
  indexUpdated: number;
  /** `.dlq` topic → records written this run. */
  deadLetters: { topic: string; count: number }[];
}

/** The topics whose growth the summary counts: the stage outputs and the `.dlq` of each stage input. */
export function chainTopicsToMark(naming: DemoNaming): string[] {
  const { imageArrived, vectorExtracted, vectorCleaned, indexUpdated } = naming.topics;
  return [vectorExtracted, vectorCleaned, indexUpdated, ...[imageArrived, vectorExtracted, vectorCleaned].map(dlqTopicOf)];
}

/**
 * End offsets now of every topic (missing topics: none). Topics created a
 * moment ago may answer "not the leader" until their leaders are elected:
 * retried every 250 ms for up to `deadlineMs`.
 */
export async function markChain(brokers: string[], topics: readonly string[], deadlineMs = 15_000): Promise<ChainMarks> {
  const marks: ChainMarks = new Map();
  const deadline = Date.now() + deadlineMs;
  for (const topic of topics) {
    for (;;) {
      try {
        marks.set(topic, await readTopicOffsets({ brokers, topic }));
        break;
      } catch (err) {
        if (!(err instanceof DependencyUnavailableError) || Date.now() >= deadline) throw err;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    }
  }
  return marks;
}

/** Records written to `topic` since `marks` (partitions absent from the marks count from their start). */
export async function grownSince(brokers: string[], topic: string, marks: ChainMarks): Promise<{ count: number; now: PartitionOffsets[] }> {
  const now = await readTopicOffsets({ brokers, topic });
  const before = new Map((marks.get(topic) ?? []).map((p) => [p.partition, p.high]));
  return { count: now.reduce((sum, p) => sum + p.high - Math.max(p.low, before.get(p.partition) ?? p.low), 0), now };
}

/**
 * Counts what the stages wrote since `marks`: vector-extracted and
 * index-updated records, the dead letters per `.dlq`, and the vector-cleaned
 * records by status, read back with a unique group (deleted afterwards) from
 * the marks to the end offsets seen at the start of the read, each value
 * decoded through the schema registry. Fails after `deadlineMs`.
 */
export async function readChainSummary(input: { brokers: string[]; registryUrl: string; naming: DemoNaming; marks: ChainMarks }, deadlineMs = 120_000): Promise<ChainSummary> {
  const { brokers, registryUrl, naming, marks } = input;
  const { imageArrived, vectorExtracted, vectorCleaned, indexUpdated } = naming.topics;
  const deadLetters: ChainSummary['deadLetters'] = [];
  for (const topic of [imageArrived, vectorExtracted, vectorCleaned].map(dlqTopicOf)) deadLetters.push({ topic, count: (await grownSince(brokers, topic, marks)).count });
  const cleaned = Object.fromEntries(DEDUP_STATUSES.map((s) => [s, 0])) as Record<DedupStatus, number>;
  const summary: ChainSummary = {
    vectorExtracted: (await grownSince(brokers, vectorExtracted, marks)).count,
    cleaned,
    indexUpdated: (await grownSince(brokers, indexUpdated, marks)).count,
    deadLetters,
  };

  const before = new Map((marks.get(vectorCleaned) ?? []).map((p) => [p.partition, p.high]));
  const ends = await readTopicOffsets({ brokers, topic: vectorCleaned });
  const startOf = new Map(ends.map((p) => [p.partition, Math.max(p.low, before.get(p.partition) ?? p.low)]));
  const pending = new Map(ends.filter((p) => p.high > (startOf.get(p.partition) ?? p.low)).map((p) => [p.partition, p.high]));
  if (pending.size === 0) return summary;

  const kafka = new Kafka({ clientId: 'stylestream-demo', brokers, logLevel: logLevel.NOTHING, retry: { retries: 3 } });
  const groupId = `stylestream-demo-chain-reader-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 200 });
  const admin = kafka.admin();
  const gateway = SchemaRegistryGateway.connect({ url: registryUrl });
  const contract = vectorCleanedContract.onTopic(vectorCleaned);
  let failure: Error | undefined;
  try {
    await admin.connect();
    await consumer.connect();
    await consumer.subscribe({ topic: vectorCleaned, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ partition, message }) => {
        const offset = Number(message.offset);
        const end = pending.get(partition);
        if (end === undefined || offset >= end || offset < (startOf.get(partition) ?? 0)) return;
        if (message.value !== null) {
          try {
            cleaned[(await gateway.decode(message.value, contract)).value.status] += 1;
          } catch (err) {
            failure = err instanceof Error ? err : new Error(reasonOf(err));
          }
        }
        if (offset >= end - 1) pending.delete(partition);
      },
    });
    for (const [partition] of pending) consumer.seek({ topic: vectorCleaned, partition, offset: String(startOf.get(partition) ?? 0) });
    const deadline = Date.now() + deadlineMs;
    while (pending.size > 0 && failure === undefined) {
      if (Date.now() > deadline) throw new DependencyUnavailableError('kafka', `timed out after ${Math.round(deadlineMs / 1000)} s reading ${vectorCleaned} back: partitions ${[...pending.keys()].join(', ')} not read to their end`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    if (failure !== undefined) throw failure;
    return summary;
  } finally {
    await consumer.disconnect();
    await admin.deleteGroups([groupId]).catch(() => undefined);
    await admin.disconnect();
  }
}
