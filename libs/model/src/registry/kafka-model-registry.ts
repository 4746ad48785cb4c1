import { randomBytes } from 'node:crypto';
import type { Consumer, Kafka, Producer } from 'kafkajs';
import type { Logger } from 'pino';
import { DependencyUnavailableError, reasonOf } from '@stylestream/errors';
import { ModelRegistryState, decodeRegistryRecord, encodeRegistryRecord, type RegistryRecord } from './model-registry.record';

/**
 * The model registry on a compacted Kafka topic (one partition, so records
 * are totally ordered). Writers: the model CLI. Readers: the CLI (`read`,
 * once to the end) and every search API replica (`follow`, from the
 * beginning, then live). Readers use a throw-away group and never commit:
 * the state is the whole topic, not a position in it. Kafka failures are
 * DependencyUnavailableError (retriable).
 */
export class KafkaModelRegistry {
  constructor(
    private readonly kafka: Kafka,
    readonly topic: string,
    private readonly logger?: Logger,
  ) {}

  /** Creates the topic (compacted, 1 partition) when it is missing. */
  async ensureTopic(replicationFactor = 1): Promise<void> {
    const admin = this.kafka.admin();
    try {
      await admin.connect();
      const existing = await admin.listTopics();
      if (existing.includes(this.topic)) return;
      await admin.createTopics({
        waitForLeaders: true,
        topics: [{ topic: this.topic, numPartitions: 1, replicationFactor, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] }],
      });
    } catch (err) {
      if (reasonOf(err).includes('already exists')) return;
      throw new DependencyUnavailableError('kafka', `creating the model registry topic ${this.topic}`, err);
    } finally {
      await admin.disconnect();
    }
  }

  /** Appends records (acks=all), in order. */
  async publish(...records: RegistryRecord[]): Promise<void> {
    const producer: Producer = this.kafka.producer({ allowAutoTopicCreation: false });
    try {
      await producer.connect();
      await producer.send({ topic: this.topic, acks: -1, messages: records.map((r) => encodeRegistryRecord(r)) });
    } catch (err) {
      throw new DependencyUnavailableError('kafka', `writing the model registry ${this.topic}`, err);
    } finally {
      await producer.disconnect();
    }
  }

  /** The registry as of now: reads the topic from the beginning to the end offsets it has when called. */
  async read(timeoutMs = 30_000): Promise<ModelRegistryState> {
    const state = new ModelRegistryState();
    const ends = await this.endOffsets();
    const pending = new Set(ends.filter((e) => e.high > e.low).map((e) => e.partition));
    if (pending.size === 0) return state;
    const high = new Map(ends.map((e) => [e.partition, e.high]));
    await this.consume(state, timeoutMs, (partition, offset) => {
      if (offset + 1 >= (high.get(partition) ?? 0)) pending.delete(partition);
      return pending.size === 0;
    });
    return state;
  }

  /**
   * Follows the registry: reads the whole topic, then keeps reading.
   * `onChange` runs with the folded state once the reader has reached the end
   * offsets the topic had when `follow` was called (never with an older,
   * partly read state), then after every later record. Resolves once the
   * consumer runs, with `caughtUp` (resolves at that first call) and `stop`.
   * A malformed record is logged and ignored (the CLI validates what it writes).
   */
  async follow(onChange: (state: ModelRegistryState) => void): Promise<{ caughtUp: Promise<void>; stop: () => Promise<void> }> {
    const state = new ModelRegistryState();
    const pending = new Map((await this.endOffsets()).filter((e) => e.high > e.low).map((e) => [e.partition, e.high]));
    let markCaughtUp: () => void = () => undefined;
    const caughtUp = new Promise<void>((resolve) => {
      markCaughtUp = resolve;
    });
    let live = false;
    const goLive = (): void => {
      live = true;
      onChange(state);
      markCaughtUp();
    };
    const consumer = this.kafka.consumer({ groupId: readerGroup(this.topic), allowAutoTopicCreation: false, maxWaitTimeInMs: 500 });
    try {
      await consumer.connect();
      await consumer.subscribe({ topic: this.topic, fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        eachMessage: ({ partition, message }) => {
          this.applyMessage(state, message.key, message.value);
          if (live) onChange(state);
          else if (Number(message.offset) + 1 >= (pending.get(partition) ?? 0)) {
            pending.delete(partition);
            if (pending.size === 0) goLive();
          }
          return Promise.resolve();
        },
      });
    } catch (err) {
      await consumer.disconnect().catch(() => undefined);
      throw new DependencyUnavailableError('kafka', `following the model registry ${this.topic}`, err);
    }
    if (pending.size === 0 && !live) goLive();
    return { caughtUp, stop: () => consumer.disconnect() };
  }

  private async endOffsets(): Promise<{ partition: number; low: number; high: number }[]> {
    const admin = this.kafka.admin();
    try {
      await admin.connect();
      return (await admin.fetchTopicOffsets(this.topic)).map((p) => ({ partition: p.partition, low: Number(p.low), high: Number(p.high) }));
    } catch (err) {
      throw new DependencyUnavailableError('kafka', `reading the model registry ${this.topic}`, err);
    } finally {
      await admin.disconnect();
    }
  }

  private async consume(state: ModelRegistryState, timeoutMs: number, done: (partition: number, offset: number) => boolean): Promise<void> {
    const consumer: Consumer = this.kafka.consumer({ groupId: readerGroup(this.topic), allowAutoTopicCreation: false, maxWaitTimeInMs: 200 });
    let timer: NodeJS.Timeout | undefined;
    try {
      await consumer.connect();
      await consumer.subscribe({ topic: this.topic, fromBeginning: true });
      await new Promise<void>((resolve, reject) => {
        timer = setTimeout(() => reject(new DependencyUnavailableError('kafka', `the model registry ${this.topic} was not read to its end within ${timeoutMs} ms`)), timeoutMs);
        consumer
          .run({
            autoCommit: false,
            eachMessage: ({ partition, message }) => {
              this.applyMessage(state, message.key, message.value);
              if (done(partition, Number(message.offset))) resolve();
              return Promise.resolve();
            },
          })
          .catch(reject);
      });
    } catch (err) {
      throw err instanceof DependencyUnavailableError ? err : new DependencyUnavailableError('kafka', `reading the model registry ${this.topic}`, err);
    } finally {
      if (timer !== undefined) clearTimeout(timer);
      await consumer.disconnect().catch(() => undefined);
    }
  }

  private applyMessage(state: ModelRegistryState, rawKey: Buffer | null, value: Buffer | null): void {
    if (rawKey === null) return;
    const key = rawKey.toString('utf8');
    try {
      state.apply(key, decodeRegistryRecord(key, value));
    } catch (err) {
      this.logger?.warn({ key, reason: reasonOf(err) }, 'model registry record ignored');
    }
  }
}

const readerGroup = (topic: string): string => `${topic}-reader-${randomBytes(6).toString('hex')}`;
