import type { Client } from '@elastic/elasticsearch';
import type { Consumer, Kafka } from 'kafkajs';
import pino from 'pino';
import { CatalogIndexLifecycle, type CatalogImageDoc, createElasticsearchClient } from '@stylestream/catalog';
import { AvroProducer, type KafkaConfig, StageConsumer, TopicProvisioner, createKafkaClient, loadKafkaConfig } from '@stylestream/kafka';
import { type DeadLetter, SchemaRegistryGateway, deadLetterContractFor, dlqTopicOf } from '@stylestream/schemas';
import { stack, uniqueName, waitFor } from '@stylestream/test-support';
import { createCatalogSink, type CatalogSinkOptions, type CatalogTopics } from '../src/sink/catalog-sink';

/**
 * Integration harness of the catalogue. Real: Kafka, the schema registry and
 * Elasticsearch of the local stack. Unique topics (with .dlq), groups, alias,
 * template and indices per test; everything is closed/deleted in close().
 */
export class CatalogTestHarness {
  readonly logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  readonly kafkaConfig: KafkaConfig = loadKafkaConfig({
    KAFKA_BROKERS: stack.brokers.join(','),
    KAFKA_CLIENT_ID: 'catalog-test',
    KAFKA_RETRY_PROFILE: 'test',
    KAFKA_MAX_WAIT_MS: '100',
    KAFKA_SESSION_TIMEOUT_MS: '6000',
    KAFKA_HEARTBEAT_INTERVAL_MS: '500',
    KAFKA_PARTITIONS_CONCURRENCY: '6',
  });
  readonly kafka: Kafka = createKafkaClient(this.kafkaConfig, this.logger);
  readonly codec = SchemaRegistryGateway.connect({ url: stack.registryUrl });
  readonly producer = new AvroProducer(this.kafka, this.codec, { retries: 3 });
  readonly es: Client = createElasticsearchClient({ node: stack.elasticsearchUrl });
  readonly alias = uniqueName('catalog-it');
  readonly shardsIndex = `${this.alias}-shards`;
  readonly lifecycle = new CatalogIndexLifecycle(this.es, { alias: this.alias, shardsIndex: this.shardsIndex, refreshInterval: '200ms' });
  readonly topics: CatalogTopics = {
    imageArrived: uniqueName('catalog-it-image-arrived'),
    vectorCleaned: uniqueName('catalog-it-vector-cleaned'),
    indexUpdated: uniqueName('catalog-it-index-updated'),
  };
  get topicList(): string[] {
    return [this.topics.imageArrived, this.topics.vectorCleaned, this.topics.indexUpdated];
  }
  private readonly closers: (() => Promise<void>)[] = [];

  async setUp(partitions = 2): Promise<void> {
    await new TopicProvisioner(this.kafka, this.logger).ensure(
      this.topicList.map((topic) => ({ topic, partitions, replicationFactor: 1, withDeadLetterTopic: true })),
    );
    await this.lifecycle.ensure();
  }

  /** `refresh: 'wait_for'` makes writes visible to searches at once but costs a refresh interval per bulk. */
  sinkOptions(refresh: false | 'wait_for' = 'wait_for'): Omit<CatalogSinkOptions, 'imagesIndex' | 'groupId'> {
    return {
      kafka: this.kafka,
      codec: this.codec,
      producer: this.producer,
      kafkaConfig: this.kafkaConfig,
      es: this.es,
      topics: this.topics,
      shardsIndex: this.shardsIndex,
      bulk: { maxBatch: 50, lingerMs: 5 },
      refresh,
      logger: this.logger,
    };
  }

  /** Starts a sink on the alias under a fresh group. */
  async startSink(groupId = uniqueName('catalog-it-group'), refresh: false | 'wait_for' = 'wait_for'): Promise<{ consumer: StageConsumer; groupId: string }> {
    const consumer = createCatalogSink({ ...this.sinkOptions(refresh), imagesIndex: this.alias, groupId });
    this.closers.unshift(() => consumer.stop());
    await consumer.start();
    return { consumer, groupId };
  }

  async doc(id: string, index = this.alias): Promise<{ doc: CatalogImageDoc; version: number; seqNo: number } | undefined> {
    const r = await this.es.get<CatalogImageDoc>({ index, id }, { ignore: [404] });
    return r.found && r._source !== undefined ? { doc: r._source, version: r._version ?? -1, seqNo: r._seq_no ?? -1 } : undefined;
  }

  async deadLetters(inputTopic: string, count: number): Promise<DeadLetter[]> {
    const found: DeadLetter[] = [];
    const reader: Consumer = this.kafka.consumer({ groupId: uniqueName('catalog-it-dlq'), maxWaitTimeInMs: 100 });
    await reader.connect();
    try {
      await reader.subscribe({ topic: dlqTopicOf(inputTopic), fromBeginning: true });
      await reader.run({
        eachMessage: async ({ message }) => {
          if (message.value !== null) found.push((await this.codec.decode(message.value, deadLetterContractFor(inputTopic))).value);
        },
      });
      await waitFor(() => found.length >= count, { timeoutMs: 30_000, what: `${count} dead letters on ${dlqTopicOf(inputTopic)}` });
      return found;
    } finally {
      await reader.disconnect();
    }
  }

  async close(): Promise<void> {
    for (const close of this.closers) await close().catch(() => undefined);
    await this.producer.disconnect();
    await this.es.indices.delete({ index: `${this.alias}*`, ignore_unavailable: true, allow_no_indices: true }).catch(() => undefined);
    await this.es.indices.deleteIndexTemplate({ name: `${this.alias}-template` }).catch(() => undefined);
    await this.es.close();
  }
}
