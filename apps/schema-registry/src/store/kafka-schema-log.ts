import { randomUUID } from 'node:crypto';
import { Admin, ConfigResourceTypes, Consumer, Kafka, KafkaMessage, logLevel, Partitioners, Producer } from 'kafkajs';
import type { Logger } from '@stylestream/logging';
import { registryErrors } from '../domain/registry-errors';
import { kafkaLogCreator } from './kafka-log-creator';
import { decodeRecord, encodeRecord, RegistryRecord } from './registry-record';
import type { SchemaLog, SchemaLogStatus } from './schema-log';

export interface KafkaSchemaLogOptions {
  readonly brokers: readonly string[];
  readonly topic: string;
  readonly replicationFactor: number;
  /** Deadline for catching up with the log and for a write to be applied. */
  readonly timeoutMs: number;
  /**
   * How long opening keeps retrying the writer-role claim while the broker's
   * transaction coordinator is still loading or moving (a broker that just
   * started answers "not the correct coordinator" for a while). Default 120 s.
   */
  readonly openTimeoutMs?: number;
  readonly logger: Logger;
}

/** Broker answers that mean "the transaction coordinator is not ready yet; ask again". */
// kafkajs names Kafka error codes 14, 15 and 16 after their old group-only meaning; newer names kept for other clients' wording.
const COORDINATOR_NOT_READY = new Set([
  'GROUP_LOAD_IN_PROGRESS',
  'GROUP_COORDINATOR_NOT_AVAILABLE',
  'NOT_COORDINATOR_FOR_GROUP',
  'NOT_COORDINATOR',
  'COORDINATOR_LOAD_IN_PROGRESS',
  'COORDINATOR_NOT_AVAILABLE',
  'CONCURRENT_TRANSACTIONS',
]);

/** True when the error (or one it wraps) is a coordinator that is not ready, or a broker connection that failed. */
export function coordinatorNotReady(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 5; depth++) {
    const { type, name } = e as Error & { type?: string };
    if ((type !== undefined && COORDINATOR_NOT_READY.has(type)) || name === 'KafkaJSConnectionError') return true;
    const wrapped = e as Error & { originalError?: unknown; cause?: unknown };
    e = wrapped.originalError ?? wrapped.cause;
  }
  return false;
}

interface Waiter {
  readonly target: number;
  readonly resolve: () => void;
  readonly reject: (err: Error) => void;
  readonly timer: NodeJS.Timeout;
}

const FENCING_ERRORS = new Set(['INVALID_PRODUCER_EPOCH', 'PRODUCER_FENCED', 'INVALID_PRODUCER_ID_MAPPING']);

/**
 * The schemas log on a single-partition compacted Kafka topic.
 *
 * Single writer: every instance on a topic uses the same transactional id,
 * and claims it at open (InitProducerId), which aborts any open transaction of
 * an older instance and fences it: its next write fails and it turns
 * read-only (`fenced`, /health 503). The tail reads committed records only.
 * Positions: `position` is the next offset to apply; it advances past data
 * records as they are applied and past transaction markers through the
 * consumer's batch events, so "position >= end offset" means caught up.
 */
export class KafkaSchemaLog implements SchemaLog {
  private readonly kafka: Kafka;
  private readonly admin: Admin;
  private producer: Producer | undefined;
  private consumer: Consumer | undefined;
  private apply: ((record: RegistryRecord) => void) | undefined;
  private position = 0;
  private waiters: Waiter[] = [];
  private caughtUp = false;
  private fenced = false;
  private crashed = false;
  private closed = false;

  constructor(private readonly options: KafkaSchemaLogOptions) {
    this.kafka = new Kafka({
      clientId: 'stylestream-schema-registry',
      brokers: [...options.brokers],
      logLevel: logLevel.WARN,
      logCreator: kafkaLogCreator(options.logger),
      retry: { retries: 5, initialRetryTime: 200, maxRetryTime: 5_000 },
    });
    this.admin = this.kafka.admin();
  }

  get transactionalId(): string {
    return `stylestream-schema-registry-${this.options.topic}`;
  }

  async open(apply: (record: RegistryRecord) => void): Promise<void> {
    this.apply = apply;
    try {
      await this.admin.connect();
      await this.ensureTopic();
      await this.claimWriterRole();
      await this.startTail();
    } catch (err) {
      throw registryErrors.backend(`cannot open schemas topic ${this.options.topic}: ${(err as Error).message}`, err);
    }
    await this.catchUp();
    this.caughtUp = true;
    this.options.logger.info({ topic: this.options.topic, position: this.position }, 'schemas log replayed; registry ready');
  }

  async catchUp(): Promise<void> {
    let end: number;
    let low: number;
    try {
      const offsets = await this.admin.fetchTopicOffsets(this.options.topic);
      const partition = offsets.find((p) => p.partition === 0);
      end = Number(partition?.offset ?? 0);
      low = Number(partition?.low ?? 0);
    } catch (err) {
      throw registryErrors.backend(`cannot read the end offset of ${this.options.topic}`, err);
    }
    this.advance(low);
    await this.waitForPosition(end, `catching up with ${this.options.topic} to offset ${end}`);
  }

  async append(records: readonly RegistryRecord[]): Promise<void> {
    if (records.length === 0) return;
    if (this.fenced) throw this.fencedError();
    const producer = await this.writer();
    const txn = await producer.transaction();
    let lastOffset: number;
    try {
      const metadata = await txn.send({
        topic: this.options.topic,
        messages: records.map(encodeRecord).map(({ key, value }) => ({ key, value, partition: 0 })),
      });
      await txn.commit();
      lastOffset = Number(metadata[0]?.baseOffset ?? Number.NaN) + records.length - 1;
    } catch (err) {
      await txn.abort().catch(() => undefined);
      if (isFencingError(err)) {
        this.fenced = true;
        this.options.logger.error({ topic: this.options.topic }, 'fenced by a newer registry instance; this instance is now read-only');
        throw this.fencedError(err);
      }
      await this.dropWriter();
      throw registryErrors.backend(`write to ${this.options.topic} failed: ${(err as Error).message}`, err);
    }
    if (!Number.isFinite(lastOffset)) {
      await this.catchUp();
      return;
    }
    await this.waitForPosition(lastOffset + 1, `applying own write at offset ${lastOffset}`);
  }

  status(): SchemaLogStatus {
    return { caughtUp: this.caughtUp && !this.crashed, fenced: this.fenced, position: this.position };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const waiter of this.waiters.splice(0)) {
      clearTimeout(waiter.timer);
      waiter.reject(registryErrors.backend('registry is shutting down'));
    }
    await Promise.allSettled([this.consumer?.disconnect(), this.producer?.disconnect(), this.admin.disconnect()]);
  }

  private async ensureTopic(): Promise<void> {
    const { topic, replicationFactor } = this.options;
    const exists = (await this.admin.listTopics()).includes(topic);
    const created = !exists && await this.admin.createTopics({
      waitForLeaders: true,
      topics: [
        {
          topic,
          numPartitions: 1,
          replicationFactor,
          configEntries: [{ name: 'cleanup.policy', value: 'compact' }],
        },
      ],
    });
    if (created) {
      this.options.logger.info({ topic }, 'created schemas topic');
      return;
    }
    const metadata = await this.admin.fetchTopicMetadata({ topics: [topic] });
    const partitions = metadata.topics[0]?.partitions.length ?? 0;
    if (partitions !== 1) {
      throw new Error(`schemas topic ${topic} has ${partitions} partitions; it must have exactly 1 (the log is one ordered history)`);
    }
    const configs = await this.admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configNames: ['cleanup.policy'] }],
    });
    const policy = configs.resources[0]?.configEntries.find((e) => e.configName === 'cleanup.policy')?.configValue;
    if (policy !== 'compact') {
      this.options.logger.warn({ topic, policy }, 'schemas topic is not cleanup.policy=compact; old records may be deleted by retention');
    }
  }

  /** InitProducerId with the topic's fixed transactional id: fences any older instance. */
  private async claimWriterRole(): Promise<void> {
    const deadline = Date.now() + (this.options.openTimeoutMs ?? 120_000);
    for (let attempt = 1; ; attempt++) {
      const producer = this.kafka.producer({
        transactionalId: this.transactionalId,
        idempotent: true,
        maxInFlightRequests: 1,
        transactionTimeout: 60_000,
        createPartitioner: Partitioners.DefaultPartitioner,
      });
      try {
        await producer.connect();
        const claim = await producer.transaction();
        await claim.abort();
        this.producer = producer;
        return;
      } catch (err) {
        await producer.disconnect().catch(() => undefined);
        if (!coordinatorNotReady(err) || Date.now() >= deadline) throw err;
        this.options.logger.warn({ attempt, reason: (err as Error).message }, 'transaction coordinator not ready; claiming the writer role again');
        await new Promise((resolve) => setTimeout(resolve, Math.min(5_000, 500 * attempt)));
      }
    }
  }

  private async writer(): Promise<Producer> {
    if (this.producer === undefined) {
      try {
        await this.claimWriterRole();
      } catch (err) {
        throw registryErrors.backend(`cannot reconnect the schemas writer: ${(err as Error).message}`, err);
      }
    }
    return this.producer as Producer;
  }

  private async dropWriter(): Promise<void> {
    const producer = this.producer;
    this.producer = undefined;
    await producer?.disconnect().catch(() => undefined);
  }

  private async startTail(): Promise<void> {
    const consumer = this.kafka.consumer({
      groupId: `stylestream-schema-registry-${this.options.topic}-${randomUUID()}`,
      readUncommitted: false,
      sessionTimeout: 30_000,
      heartbeatInterval: 3_000,
      maxWaitTimeInMs: 1_000,
    });
    consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
      if (payload.topic === this.options.topic) this.advance(Number(payload.lastOffset) + 1);
    });
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      if (!payload.restart) {
        this.crashed = true;
        this.options.logger.error({ err: payload.error }, 'schemas log tail crashed and will not restart');
      }
    });
    await consumer.connect();
    await consumer.subscribe({ topic: this.options.topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        for (const message of batch.messages) this.applyMessage(message);
        this.advance(Number(batch.lastOffset()) + 1);
        await Promise.resolve();
      },
    });
    this.consumer = consumer;
  }

  private applyMessage(message: KafkaMessage): void {
    const offset = Number(message.offset);
    if (offset < this.position) return; // replayed after a rejoin: already applied
    try {
      const record = decodeRecord(message.key?.toString('utf8') ?? 'null', message.value?.toString('utf8') ?? null);
      if (record === undefined) {
        this.options.logger.warn({ offset }, 'skipping schemas log record of an unknown kind');
      } else {
        this.apply?.(record);
      }
    } catch (err) {
      this.options.logger.error({ offset, err }, 'skipping malformed schemas log record');
    }
    this.advance(offset + 1);
  }

  private advance(next: number): void {
    if (next <= this.position) return;
    this.position = next;
    const ready = this.waiters.filter((w) => w.target <= next);
    if (ready.length === 0) return;
    this.waiters = this.waiters.filter((w) => w.target > next);
    for (const waiter of ready) {
      clearTimeout(waiter.timer);
      waiter.resolve();
    }
  }

  private waitForPosition(target: number, what: string): Promise<void> {
    if (this.position >= target) return Promise.resolve();
    if (this.closed) return Promise.reject(registryErrors.backend('registry is shutting down'));
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w.timer !== timer);
        reject(registryErrors.timeout(`${what}: still at offset ${this.position} after ${this.options.timeoutMs} ms`));
      }, this.options.timeoutMs);
      this.waiters.push({ target, resolve, reject, timer });
    });
  }

  private fencedError(cause?: unknown) {
    return registryErrors.backend(
      `this instance was fenced by a newer registry instance on topic ${this.options.topic}; send writes to the newest instance`,
      cause,
    );
  }
}

function isFencingError(err: unknown): boolean {
  for (let current = err, depth = 0; typeof current === 'object' && current !== null && depth < 5; depth++) {
    const type = (current as { type?: unknown }).type;
    if (typeof type === 'string' && FENCING_ERRORS.has(type)) return true;
    current = (current as { cause?: unknown; originalError?: unknown }).cause ?? (current as { originalError?: unknown }).originalError;
  }
  return false;
}
