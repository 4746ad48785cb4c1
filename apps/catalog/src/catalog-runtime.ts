import type { Client } from '@elastic/elasticsearch';
import type { Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import { CatalogIndexLifecycle, createElasticsearchClient, elasticsearchCallBoundMs } from '@stylestream/catalog';
import { AvroProducer, type KafkaConfig, createKafkaClient, toKafkaConfig } from '@stylestream/kafka';
import { SchemaRegistryGateway } from '@stylestream/schemas';
import type { CatalogConfig } from './catalog.config';
import type { CatalogSinkOptions } from './sink/catalog-sink';

/** The adapters every catalogue command needs, built from the validated config. */
export interface CatalogRuntime {
  readonly kafkaConfig: KafkaConfig;
  readonly kafka: Kafka;
  readonly codec: SchemaRegistryGateway;
  readonly producer: AvroProducer;
  readonly es: Client;
  readonly lifecycle: CatalogIndexLifecycle;
  /** Sink options without the target index and group. */
  readonly sinkBase: Omit<CatalogSinkOptions, 'imagesIndex' | 'groupId'>;
  close(): Promise<void>;
}

export function createCatalogRuntime(config: CatalogConfig, logger: Logger): CatalogRuntime {
  const kafkaConfig = toKafkaConfig(config);
  const kafka = createKafkaClient(kafkaConfig, logger);
  const codec = SchemaRegistryGateway.connect({ url: config.SCHEMA_REGISTRY_URL });
  const producer = new AvroProducer(kafka, codec, { retries: kafkaConfig.producerRetries });
  const es = createElasticsearchClient({ node: config.ELASTICSEARCH_URL, requestTimeoutMs: config.ELASTICSEARCH_REQUEST_TIMEOUT_MS });
  const lifecycle = new CatalogIndexLifecycle(es, { alias: config.CATALOG_ALIAS, shardsIndex: config.CATALOG_SHARDS_INDEX, replicas: config.CATALOG_REPLICAS });
  return {
    kafkaConfig,
    kafka,
    codec,
    producer,
    es,
    lifecycle,
    sinkBase: {
      kafka,
      codec,
      producer,
      kafkaConfig,
      es,
      logger,
      shardsIndex: config.CATALOG_SHARDS_INDEX,
      topics: { imageArrived: config.CATALOG_TOPIC_IMAGE_ARRIVED, vectorCleaned: config.CATALOG_TOPIC_VECTOR_CLEANED, indexUpdated: config.CATALOG_TOPIC_INDEX_UPDATED },
      bulk: { maxBatch: config.CATALOG_BULK_MAX, lingerMs: config.CATALOG_BULK_LINGER_MS },
      applyDeadlineMs: config.CATALOG_APPLY_DEADLINE_MS > 0 ? config.CATALOG_APPLY_DEADLINE_MS : elasticsearchCallBoundMs(config.ELASTICSEARCH_REQUEST_TIMEOUT_MS),
    },
    async close() {
      await producer.disconnect();
      await es.close();
    },
  };
}
