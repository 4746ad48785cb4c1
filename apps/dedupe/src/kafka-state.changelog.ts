import { randomBytes } from 'node:crypto';
import { type Consumer, type Kafka, type PartitionMetadata, Partitioners } from 'kafkajs';
import type { Logger } from 'pino';
import { DependencyUnavailableError, reasonOf } from '@stylestream/errors';
import type { AvroProducer } from '@stylestream/kafka';
import type { ChangelogRecord, StateChange, StateChangelogWriter } from './dedupe.ports';
import { decodeStateRecord, encodeStateRecord } from './state-record.codec';

export interface KafkaStateChangelogOptions {
  /** The compacted changelog topic (`dedupe-state`). */
  readonly topic: string;
  /** Prefix of the private, never-committing consumer group used to read the whole topic. */
  readonly groupPrefix: string;
  /** restore() fails with DependencyUnavailableError after this long. */
  readonly restoreTimeoutMs: number;
  readonly maxWaitTimeMs: number;
}

/**
 * The dedupe state changelog on Kafka. Writes go through the shared idempotent
 * producer (acks=all). Reading: every process runs its own consumer group
 * (unique id, nothing committed), so it is assigned EVERY partition of the
 * topic and reads it from the beginning — that is how each instance holds the
 * global state. start() resolves once every partition has been read up to
 * the end offsets seen at start (restore complete); the consumer then keeps
 * tailing, handing each record to `apply`. A record that cannot be decoded is
 * logged and skipped (it is our own topic: only a bug or a foreign writer
 * puts one there).
 */
export class KafkaStateChangelog implements StateChangelogWriter {
  private consumer: Consumer | undefined;
  private partitions: number | undefined;
  private readonly partitioner = Partitioners.DefaultPartitioner();

  constructor(
    private readonly kafka: Kafka,
    private readonly producer: AvroProducer,
    private readonly options: KafkaStateChangelogOptions,
    private readonly logger: Logger,
  ) {}

  /**
   * Appends the changes in order. Each record's partition is set explicitly with the
   * producer's default (murmur2) partitioner, so a key lands where a keyed send would have
   * put it, and each record's offset is its partition's base offset plus its place among
   * that partition's records of the request (one request appends one contiguous batch per
   * partition). Requests hold at most MAX_REQUEST_BYTES of values, sent one after another.
   */
  async write(changes: readonly StateChange[]): Promise<string[]> {
    if (changes.length === 0) return [];
    const partitions = await this.partitionCount();
    const offsets: string[] = [];
    let chunk: { key: string; value: Buffer | null; partition: number }[] = [];
    let bytes = 0;
    const flush = async (): Promise<void> => {
      if (chunk.length === 0) return;
      offsets.push(...(await this.send(chunk)));
      chunk = [];
      bytes = 0;
    };
    for (const { imageId, entry } of changes) {
      const value = entry === null ? null : encodeStateRecord(entry);
      const size = imageId.length + (value?.length ?? 0) + 64;
      if (bytes + size > MAX_REQUEST_BYTES) await flush();
      chunk.push({ key: imageId, value, partition: this.partitionOf(imageId, partitions) });
      bytes += size;
    }
    await flush();
    return offsets;
  }

  private async send(messages: { key: string; value: Buffer | null; partition: number }[]): Promise<string[]> {
    const metadata = await this.producer.sendRaw(this.options.topic, messages);
    const base = new Map(metadata.map((m) => [m.partition, m.baseOffset]));
    const seen = new Map<number, bigint>();
    return messages.map((m) => {
      const first = base.get(m.partition);
      if (first === undefined) throw new DependencyUnavailableError('kafka', `no offset returned for changelog partition ${m.partition} (write of ${m.key})`);
      const index = seen.get(m.partition) ?? 0n;
      seen.set(m.partition, index + 1n);
      return String(BigInt(first) + index);
    });
  }

  /** The partition a keyed send would choose (kafkajs DefaultPartitioner: murmur2 of the key modulo the partition count). */
  private partitionOf(imageId: string, partitions: number): number {
    return this.partitioner({ topic: this.options.topic, partitionMetadata: partitionsMetadata(partitions), message: { key: imageId, value: null } });
  }

  /** The changelog's partition count: from the restore's end offsets, or asked once. */
  private async partitionCount(): Promise<number> {
    if (this.partitions === undefined) this.partitions = (await this.endOffsets()).size;
    if (this.partitions < 1) throw new DependencyUnavailableError('kafka', `changelog ${this.options.topic} has no partitions`);
    return this.partitions;
  }

  /** Restores the whole changelog into `apply`, then keeps tailing. Resolves with the number of records restored. */
  async start(apply: (record: ChangelogRecord) => void): Promise<number> {
    const { topic } = this.options;
    const targets = await this.endOffsets();
    this.partitions = targets.size;
    const behind = new Set([...targets].filter(([, end]) => end > 0n).map(([p]) => p));
    let restored = 0;
    let caughtUp: () => void = () => undefined;
    const done = new Promise<void>((resolve) => {
      caughtUp = resolve;
      if (behind.size === 0) resolve();
    });
    const consumer = this.kafka.consumer({
      groupId: `${this.options.groupPrefix}-${randomBytes(6).toString('hex')}`,
      maxWaitTimeInMs: this.options.maxWaitTimeMs,
      allowAutoTopicCreation: false,
    });
    this.consumer = consumer;
    try {
      await consumer.connect();
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        eachMessage: ({ partition, message }) => {
          const imageId = message.key?.toString('utf8');
          if (imageId !== undefined) {
            try {
              apply({ imageId, entry: message.value === null ? null : decodeStateRecord(message.value), offset: message.offset });
            } catch (err) {
              this.logger.error({ topic, partition, offset: message.offset, reason: reasonOf(err) }, 'skipping unreadable dedupe state record');
            }
          }
          restored += 1;
          const end = targets.get(partition);
          if (behind.has(partition) && end !== undefined && BigInt(message.offset) + 1n >= end) {
            behind.delete(partition);
            if (behind.size === 0) caughtUp();
          }
          return Promise.resolve();
        },
      });
    } catch (err) {
      throw new DependencyUnavailableError('kafka', `could not read the dedupe state changelog ${topic}`, err);
    }
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), this.options.restoreTimeoutMs);
    });
    const result = await Promise.race([done.then(() => 'done' as const), timeout]);
    clearTimeout(timer);
    if (result === 'timeout') {
      throw new DependencyUnavailableError('kafka', `dedupe state restore from ${topic} did not finish within ${this.options.restoreTimeoutMs} ms`);
    }
    this.logger.info({ topic, records: restored }, 'dedupe state restored from changelog; tailing');
    return restored;
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
    this.consumer = undefined;
  }

  /**
   * End offset of each partition (the offset the next record would get). A topic created a
   * moment ago, or a broker that just restarted, answers "not the leader" until its partition
   * leaders are elected: such answers are retried with backoff for up to 30 s before giving up.
   */
  private async endOffsets(): Promise<Map<number, bigint>> {
    const admin = this.kafka.admin();
    const deadline = Date.now() + END_OFFSETS_RETRY_MS;
    try {
      await admin.connect();
      for (let attempt = 1; ; attempt++) {
        try {
          const offsets = await admin.fetchTopicOffsets(this.options.topic);
          return new Map(offsets.map((o) => [o.partition, BigInt(o.high) > BigInt(o.low) ? BigInt(o.high) : 0n]));
        } catch (err) {
          if (!isRetriableKafkaError(err) || Date.now() >= deadline) throw err;
          this.logger.warn({ topic: this.options.topic, attempt, reason: reasonOf(err) }, 'reading changelog end offsets failed; retrying');
          await new Promise((resolve) => setTimeout(resolve, Math.min(2_000, 100 * 2 ** attempt)));
        }
      }
    } catch (err) {
      throw new DependencyUnavailableError('kafka', `could not read end offsets of ${this.options.topic}`, err);
    } finally {
      await admin.disconnect();
    }
  }
}

const END_OFFSETS_RETRY_MS = 30_000;
/** Values per produce request, well under the broker's default message.max.bytes (1 MiB) for one partition's batch. */
const MAX_REQUEST_BYTES = 512 * 1024;

const metadataCache = new Map<number, PartitionMetadata[]>();
/** Partition metadata as the partitioner reads it (only the count and the ids matter for keyed records). */
function partitionsMetadata(n: number): PartitionMetadata[] {
  let metadata = metadataCache.get(n);
  if (metadata === undefined) {
    metadata = Array.from({ length: n }, (_, partitionId) => ({ partitionErrorCode: 0, partitionId, leader: 0, replicas: [0], isr: [0] }));
    metadataCache.set(n, metadata);
  }
  return metadata;
}

/**
 * kafkajs marks transient protocol errors (leader not elected yet, broker restarting)
 * `retriable`, also when they arrive wrapped by its own retrier (`originalError`).
 */
function isRetriableKafkaError(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; typeof e === 'object' && e !== null && depth < 4; depth++) {
    const candidate = e as { retriable?: unknown; originalError?: unknown; cause?: unknown };
    if (candidate.retriable === true) return true;
    e = candidate.originalError ?? candidate.cause;
  }
  return false;
}
