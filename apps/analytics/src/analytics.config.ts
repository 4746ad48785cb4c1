import { z } from 'zod';
import { env } from '@stylestream/config';
import { clickHouseEnvSchema } from '@stylestream/clickhouse';
import { kafkaEnvSchema } from '@stylestream/kafka';
import { TOPICS } from '@stylestream/schemas';

const topic = (fallback: string) => z.string().regex(/^[A-Za-z0-9._-]{1,249}$/, 'must be a valid Kafka topic name').default(fallback);

/** Typed configuration of the analytics app (sink + query API), validated at boot. */
export const analyticsConfigSchema = kafkaEnvSchema.extend({
  ...clickHouseEnvSchema.shape,
  KAFKA_CLIENT_ID: z.string().min(1).default('stylestream-analytics'),
  KAFKA_GROUP_ID: z.string().min(1).default('analytics'),
  /** Partitions handled at once; each hands its whole fetched batch to the batcher (batch routes). */
  KAFKA_PARTITIONS_CONCURRENCY: env.int(32, 1),
  SCHEMA_REGISTRY_URL: env.url('http://127.0.0.1:8081'),
  PORT: env.port(8093),
  HOST: z.string().min(1).default('127.0.0.1'),
  ANALYTICS_IMAGE_ARRIVED_TOPIC: topic(TOPICS.imageArrived),
  ANALYTICS_VECTOR_CLEANED_TOPIC: topic(TOPICS.vectorCleaned),
  ANALYTICS_INDEX_UPDATED_TOPIC: topic(TOPICS.indexUpdated),
  ANALYTICS_BATCH_MAX_ROWS: env.int(5000, 1),
  ANALYTICS_BATCH_MAX_DELAY_MS: env.int(1000, 1),
  ANALYTICS_BATCH_LINGER_MS: env.int(20, 0),
  /** Run only the query API (no sink), e.g. against a server another process fills. */
  ANALYTICS_SINK_ENABLED: env.bool(true),
  /**
   * At start, before consuming, compare the view-kept tables (label_counts, facts_by_blogger) with
   * image_facts and fill a disagreeing one again. Turn off only where several sink processes share
   * one ClickHouse database (the refill must not run beside another writer); run it from one of them.
   */
  ANALYTICS_RECONCILE_AT_START: env.bool(true),
});
export type AnalyticsConfig = z.infer<typeof analyticsConfigSchema>;
