import type { Consumer, Kafka } from 'kafkajs';
import pino from 'pino';
import { DeadLetter, ImageArrived, SchemaRegistryGateway, TopicContract, deadLetterContractFor, dlqTopicOf, emptyLabels, imageArrivedContract } from '@stylestream/schemas';
import { stack, uniqueName, waitFor } from '@stylestream/test-support';
import {
  AvroProducer,
  DeadLetterPublisher,
  KafkaConfig,
  StageConsumer,
  StageConsumerOptions,
  TopicProvisioner,
  createKafkaClient,
  loadKafkaConfig,
} from '../src';

/**
 * Integration-test harness. Real: Kafka at KAFKA_BROKERS (127.0.0.1:9092)
 * and the schema registry at SCHEMA_REGISTRY_URL (127.0.0.1:8081). Every
 * topic and group is unique to the test; everything opened is closed in close().
 */
export class KafkaTestHarness {
  readonly logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  readonly config: KafkaConfig;
  readonly kafka: Kafka;
  readonly gateway = SchemaRegistryGateway.connect({ url: stack.registryUrl });
  readonly producer: AvroProducer;
  readonly provisioner: TopicProvisioner;
  private readonly closers: (() => Promise<void>)[] = [];

  constructor(overrides: NodeJS.ProcessEnv = {}) {
    this.config = loadKafkaConfig({
      KAFKA_BROKERS: stack.brokers.join(','),
      KAFKA_CLIENT_ID: 'kafka-lib-test',
      KAFKA_RETRY_PROFILE: 'test',
      KAFKA_MAX_WAIT_MS: '100',
      KAFKA_SESSION_TIMEOUT_MS: '6000',
      KAFKA_HEARTBEAT_INTERVAL_MS: '500',
      KAFKA_SHUTDOWN_TIMEOUT_MS: '10000',
      ...overrides,
    });
    this.kafka = createKafkaClient(this.config, this.logger);
    this.producer = new AvroProducer(this.kafka, this.gateway, { retries: this.config.producerRetries });
    this.provisioner = new TopicProvisioner(this.kafka, this.logger);
    this.closers.push(() => this.producer.disconnect());
  }

  /** A fresh image-arrived contract on a unique topic (and its .dlq), provisioned. */
  async imageTopic(prefix: string, partitions = 1): Promise<TopicContract<ImageArrived>> {
    const topic = uniqueName(`kafka-lib-${prefix}`);
    await this.provisioner.ensure([{ topic, partitions, replicationFactor: 1, withDeadLetterTopic: true }]);
    return imageArrivedContract.onTopic(topic);
  }

  consumer(options: Omit<StageConsumerOptions, 'groupId'> & { groupId?: string }, config: KafkaConfig = this.config): StageConsumer {
    const consumer = new StageConsumer(this.kafka, new DeadLetterPublisher(this.producer), config, { groupId: uniqueName('kafka-lib-group'), ...options }, this.logger);
    this.closers.unshift(() => consumer.stop());
    return consumer;
  }

  async produceRaw(topic: string, messages: { key: string; value: Buffer | null; partition?: number }[]): Promise<void> {
    await this.producer.sendRaw(topic, messages);
  }

  /** Collects decoded dead-letter envelopes of `inputTopic` until `count` arrived. */
  async deadLetters(inputTopic: string, count: number, timeoutMs = 20_000): Promise<DeadLetter[]> {
    const found: DeadLetter[] = [];
    const reader: Consumer = this.kafka.consumer({ groupId: uniqueName('kafka-lib-dlq-reader'), maxWaitTimeInMs: 100 });
    await reader.connect();
    try {
      await reader.subscribe({ topic: dlqTopicOf(inputTopic), fromBeginning: true });
      await reader.run({
        eachMessage: async ({ message }) => {
          if (message.value !== null) found.push((await this.gateway.decode(message.value, deadLetterContractFor(inputTopic))).value);
        },
      });
      await waitFor(() => found.length >= count, { timeoutMs, what: `${count} dead letters on ${dlqTopicOf(inputTopic)}` });
      return found;
    } finally {
      await reader.disconnect();
    }
  }

  /** The group's committed offset of partition 0 (or -1). */
  async committed(groupId: string, topic: string, partition = 0): Promise<number> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const [entry] = await admin.fetchOffsets({ groupId, topics: [topic] });
      const offset = entry?.partitions.find((p) => p.partition === partition)?.offset ?? '-1';
      return Number(offset);
    } finally {
      await admin.disconnect();
    }
  }

  async groupState(groupId: string): Promise<{ state: string; members: number }> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const { groups } = await admin.describeGroups([groupId]);
      return { state: groups[0]?.state ?? 'Unknown', members: groups[0]?.members.length ?? 0 };
    } finally {
      await admin.disconnect();
    }
  }

  async close(): Promise<void> {
    for (const close of this.closers) await close();
  }
}

export function image(imageId: string): ImageArrived {
  return {
    imageId,
    uri: `file:///images/${imageId}.jpg`,
    source: 'street',
    bloggerId: null,
    publishedAt: 1_760_000_000_000,
    crawledAt: 1_760_000_001_000,
    labels: { ...emptyLabels(), category: ['dress'] },
    title: null,
    contentSha256: null,
    attributes: {},
  };
}
