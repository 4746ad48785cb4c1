import { z } from 'zod';
import { env } from '@stylestream/config';
import { kafkaEnvSchema } from '@stylestream/kafka';

const topicName = z.string().regex(/^[A-Za-z0-9._-]{1,249}$/, 'must be a valid Kafka topic name');
const indexName = z.string().regex(/^[a-z0-9][a-z0-9._-]{0,200}$/, 'must be a lower-case Elasticsearch index name');

/** Typed configuration of the catalogue app (sink, search HTTP, reindex), validated at boot. */
export const catalogConfigSchema = kafkaEnvSchema.extend({
  KAFKA_CLIENT_ID: z.string().min(1).default('stylestream-catalog'),
  KAFKA_GROUP_ID: z.string().min(1).default('catalog'),
  /** Every partition of the three input topics in flight at once: each adds its whole fetched batch to a shared bulk. */
  KAFKA_PARTITIONS_CONCURRENCY: env.int(18, 1),
  SCHEMA_REGISTRY_URL: env.url('http://127.0.0.1:8081'),
  ELASTICSEARCH_URL: env.url('http://127.0.0.1:9200'),
  ELASTICSEARCH_REQUEST_TIMEOUT_MS: env.int(10_000, 100),
  /**
   * The longest one sink bulk may take, the client's own timeout and its 2 retries included, before
   * the partition pauses and the bulk is tried again (0: the client's three tries plus 5 s).
   */
  CATALOG_APPLY_DEADLINE_MS: env.int(0, 0),
  /** Alias readers and the live sink use; versioned indices are `<alias>-v<N>`. */
  CATALOG_ALIAS: indexName.default('catalog-images'),
  CATALOG_SHARDS_INDEX: indexName.default('catalog-shards'),
  CATALOG_REPLICAS: env.int(0, 0),
  CATALOG_BULK_MAX: env.int(500, 1),
  CATALOG_BULK_LINGER_MS: env.int(20, 0),
  /** Topic overrides (tests use unique topics). */
  CATALOG_TOPIC_IMAGE_ARRIVED: topicName.default('image-arrived'),
  CATALOG_TOPIC_VECTOR_CLEANED: topicName.default('vector-cleaned'),
  CATALOG_TOPIC_INDEX_UPDATED: topicName.default('index-updated'),
  PORT: env.port(8096),
  HOST: z.string().min(1).default('127.0.0.1'),
});
export type CatalogConfig = z.infer<typeof catalogConfigSchema>;
