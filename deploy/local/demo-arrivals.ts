import { randomBytes } from 'node:crypto';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { DependencyUnavailableError, reasonOf } from '@stylestream/errors';
import { SchemaRegistryGateway, imageArrivedContract, type ImageArrived } from '@stylestream/schemas';

/** Offsets of one partition: `low` the first readable, `high` the next to be written (the end offset). */
export interface PartitionOffsets {
  partition: number;
  low: number;
  high: number;
}

/** What the topic holds, read back from the beginning up to the end offsets seen at the start of the read. */
export interface ArrivalsReport {
  topic: string;
  /** Per partition: offsets now, and the end offset before this run's ingest (`before`). */
  partitions: (PartitionOffsets & { before: number })[];
  total: number;
  /** Records at or after the `before` offsets: what this run added. */
  thisRun: number;
  /** Category label (first value; "(none)" without one) → records in this run and on the whole topic. */
  byCategory: Map<string, { thisRun: number; total: number }>;
  tombstones: number;
  /** Records whose value did not decode as image-arrived (e.g. foreign bytes), with the first reason. */
  undecodable: { count: number; firstReason?: string };
  /** One decoded event, preferably from this run. */
  sample?: { partition: number; offset: number; key: string; value: ImageArrived; inThisRun: boolean };
}

export interface ArrivalsSource {
  brokers: string[];
  registryUrl: string;
  topic: string;
}

function kafkaOf(brokers: string[]): Kafka {
  return new Kafka({ clientId: 'stylestream-demo', brokers, logLevel: logLevel.NOTHING, retry: { retries: 3 } });
}

/** End offsets per partition; [] when the topic does not exist yet. */
export async function readTopicOffsets(source: Pick<ArrivalsSource, 'brokers' | 'topic'>): Promise<PartitionOffsets[]> {
  const admin = kafkaOf(source.brokers).admin();
  try {
    await admin.connect();
    return await offsetsOf(admin, source.topic);
  } catch (err) {
    throw new DependencyUnavailableError('kafka', `reading the offsets of ${source.topic}: ${reasonOf(err)}`, err);
  } finally {
    await admin.disconnect();
  }
}

async function offsetsOf(admin: Admin, topic: string): Promise<PartitionOffsets[]> {
  const topics = await admin.listTopics();
  if (!topics.includes(topic)) return [];
  const offsets = await admin.fetchTopicOffsets(topic);
  return offsets.map((o) => ({ partition: o.partition, low: Number(o.low), high: Number(o.high) })).sort((a, b) => a.partition - b.partition);
}

/**
 * Consumes `topic` from the beginning with a unique group (deleted afterwards)
 * until every partition has been read up to the end offset it had when the
 * read started, decoding each value through the schema registry. Records
 * written during the read are not waited for. Fails after `deadlineMs`.
 */
export async function readArrivals(source: ArrivalsSource, before: readonly PartitionOffsets[], deadlineMs = 120_000): Promise<ArrivalsReport> {
  const kafka = kafkaOf(source.brokers);
  const admin = kafka.admin();
  await admin.connect();
  const groupId = `stylestream-demo-reader-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 200 });
  try {
    const offsets = await offsetsOf(admin, source.topic);
    const beforeOf = new Map(before.map((p) => [p.partition, p.high]));
    const report: ArrivalsReport = {
      topic: source.topic,
      partitions: offsets.map((p) => ({ ...p, before: Math.max(p.low, beforeOf.get(p.partition) ?? 0) })),
      total: offsets.reduce((sum, p) => sum + (p.high - p.low), 0),
      thisRun: 0,
      byCategory: new Map(),
      tombstones: 0,
      undecodable: { count: 0 },
    };
    const pending = new Map(offsets.filter((p) => p.high > p.low).map((p) => [p.partition, p.high]));
    if (pending.size === 0) return report;

    const gateway = SchemaRegistryGateway.connect({ url: source.registryUrl });
    const contract = imageArrivedContract.onTopic(source.topic);
    const startOf = new Map(report.partitions.map((p) => [p.partition, p.before]));
    await consumer.connect();
    await consumer.subscribe({ topic: source.topic, fromBeginning: true });
    let failure: Error | undefined;
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ partition, message }) => {
        const offset = Number(message.offset);
        const end = pending.get(partition);
        if (end === undefined || offset >= end) return;
        try {
          await countRecord(report, gateway, contract, { partition, offset, key: message.key, value: message.value }, offset >= (startOf.get(partition) ?? 0));
        } catch (err) {
          failure = err instanceof Error ? err : new Error(reasonOf(err)); // registry unreachable: stop waiting, report below
        }
        if (offset >= end - 1) pending.delete(partition);
      },
    });
    await pollUntil(() => pending.size === 0 || failure !== undefined, deadlineMs, () => `reading ${source.topic} back: partitions ${[...pending.keys()].join(', ')} not read to their end offsets`);
    if (failure !== undefined) throw failure;
    return report;
  } finally {
    await consumer.disconnect();
    await admin.deleteGroups([groupId]).catch(() => undefined);
    await admin.disconnect();
  }
}

async function countRecord(
  report: ArrivalsReport,
  gateway: SchemaRegistryGateway,
  contract: ReturnType<typeof imageArrivedContract.onTopic>,
  record: { partition: number; offset: number; key: Buffer | null; value: Buffer | null },
  inThisRun: boolean,
): Promise<void> {
  if (inThisRun) report.thisRun += 1;
  if (record.value === null) {
    report.tombstones += 1;
    return;
  }
  let value: ImageArrived;
  try {
    value = (await gateway.decode(record.value, contract)).value;
  } catch (err) {
    if (err instanceof DependencyUnavailableError) throw err;
    report.undecodable.count += 1;
    report.undecodable.firstReason ??= reasonOf(err);
    return;
  }
  const category = value.labels.category[0] ?? '(none)';
  const counts = report.byCategory.get(category) ?? { thisRun: 0, total: 0 };
  counts.total += 1;
  if (inThisRun) counts.thisRun += 1;
  report.byCategory.set(category, counts);
  if (report.sample === undefined || (inThisRun && !report.sample.inThisRun)) {
    report.sample = { partition: record.partition, offset: record.offset, key: record.key?.toString('utf8') ?? '', value, inThisRun };
  }
}

/** Polls `done` every 100 ms until true; fails with `what()` after `deadlineMs`. */
async function pollUntil(done: () => boolean, deadlineMs: number, what: () => string): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  while (!done()) {
    if (Date.now() > deadline) throw new DependencyUnavailableError('kafka', `timed out after ${Math.round(deadlineMs / 1000)} s ${what()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
