import type { IHeaders, Kafka, Producer, RecordMetadata } from 'kafkajs';
import { CompressionTypes } from 'kafkajs';
import type { TopicContract } from '@stylestream/schemas';
import { DependencyUnavailableError, StyleStreamError } from '@stylestream/errors';
import { pipelineMetrics } from '@stylestream/metrics';
import type { MessageCodec } from '../codec/message-codec.port';

/** One record to produce: `value: null` is a tombstone (take-down on image-arrived). */
export interface OutgoingRecord<T> {
  /** The image id (or shard id); null only when replaying a keyless record. */
  readonly key: string | Buffer | null;
  readonly value: T | null;
  readonly headers?: IHeaders;
}

export interface AvroProducerOptions {
  /** Client-level retries of one produce request before send() fails. */
  readonly retries: number;
}

/**
 * Typed Avro producer. Idempotent (producer id + sequence numbers, acks=all,
 * at most 5 requests in flight, which Kafka's idempotence supports without
 * reordering), so client-level retries never duplicate or reorder a record
 * within a partition. send() resolves once every record is acknowledged by
 * all in-sync replicas.
 * Errors: InvalidInputError when a value violates its schema (never
 * retriable); DependencyUnavailableError when the broker or registry cannot
 * be reached (a consumer pauses on it rather than dead-lettering).
 */
export class AvroProducer {
  private readonly producer: Producer;
  private connected = false;

  constructor(
    kafka: Kafka,
    private readonly codec: MessageCodec,
    options: AvroProducerOptions,
  ) {
    this.producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 5,
      allowAutoTopicCreation: false,
      retry: { retries: options.retries },
    });
  }

  async connect(): Promise<void> {
    if (this.connected) return;
    try {
      await this.producer.connect();
    } catch (err) {
      throw new DependencyUnavailableError('kafka', 'producer could not connect', err);
    }
    this.connected = true;
  }

  async disconnect(): Promise<void> {
    if (!this.connected) return;
    this.connected = false;
    await this.producer.disconnect();
  }

  /** Produces one record (a tombstone when `value` is null). */
  async send<T>(contract: TopicContract<T>, key: string | Buffer | null, value: T | null, headers?: IHeaders): Promise<RecordMetadata[]> {
    return this.sendBatch(contract, [{ key, value, headers }]);
  }

  /** Produces records to one topic in one request per partition, in the given order. */
  async sendBatch<T>(contract: TopicContract<T>, records: readonly OutgoingRecord<T>[]): Promise<RecordMetadata[]> {
    if (records.length === 0) return [];
    const messages = await Promise.all(
      records.map(async (r) => ({
        key: r.key,
        value: r.value === null ? null : await this.codec.encode(contract, r.value),
        headers: r.headers,
      })),
    );
    return this.sendRaw(contract.topic, messages);
  }

  /** Produces already-encoded bytes (used for dead-letter envelopes and replays). */
  async sendRaw(
    topic: string,
    messages: { key: string | Buffer | null; value: Buffer | null; headers?: IHeaders; partition?: number }[],
  ): Promise<RecordMetadata[]> {
    await this.connect();
    try {
      const metadata = await this.producer.send({ topic, acks: -1, compression: CompressionTypes.None, messages });
      pipelineMetrics.produced.inc({ topic }, messages.length);
      return metadata;
    } catch (err) {
      if (err instanceof StyleStreamError) throw err;
      throw new DependencyUnavailableError('kafka', `produce to ${topic} failed`, err);
    }
  }
}
