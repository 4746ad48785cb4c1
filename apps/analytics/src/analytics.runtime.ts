import type { Logger } from 'pino';
import { type ClickHouseClient, applyMigrations, createClickHouseClient, readMigrations, toClickHouseConfig } from '@stylestream/clickhouse';
import { AvroProducer, DeadLetterPublisher, StageConsumer, createKafkaClient, toKafkaConfig } from '@stylestream/kafka';
import { SchemaRegistryGateway } from '@stylestream/schemas';
import type { AnalyticsConfig } from './analytics.config';
import { AnalyticsQueryService } from './query/analytics-query.service';
import { ClickHouseSqlRunner } from './query/sql-runner';
import { analyticsRoutes } from './sink/analytics-routes';
import { AnalyticsSinkService } from './sink/analytics-sink.service';
import { ClickHouseAnalyticsStore } from './sink/clickhouse-analytics.store';
import { reconcileDerivedTables } from './sink/derived-tables';

/** The running parts of the analytics process; stop() ends consumption, writes what waits, and closes. */
export interface AnalyticsRuntime {
  readonly client: ClickHouseClient;
  readonly queries: AnalyticsQueryService;
  readonly sink: AnalyticsSinkService;
  stop(): Promise<void>;
}

export interface AnalyticsRuntimeOptions {
  /** Use this client instead of opening one from the config (stop() then leaves it open). */
  readonly client?: ClickHouseClient;
  /** Puts something in front of the sink's writes (tests: a connection that fails on demand). */
  readonly wrapSinkClient?: (client: ClickHouseClient) => ClickHouseClient;
}

/**
 * Opens ClickHouse, applies the migrations, makes the view-kept tables agree
 * with image_facts (when this process runs the sink), and (unless disabled)
 * starts the sink consumer.
 */
export async function startAnalytics(config: AnalyticsConfig, logger: Logger, options: AnalyticsRuntimeOptions = {}): Promise<AnalyticsRuntime> {
  const client = options.client ?? createClickHouseClient(toClickHouseConfig(config));
  await applyMigrations(client, readMigrations(), logger);
  // Before the sink writes: the tables that views keep from image_facts must agree with it (a kill between an insert and its views).
  if (config.ANALYTICS_SINK_ENABLED && config.ANALYTICS_RECONCILE_AT_START) await reconcileDerivedTables(client, logger);
  const store = new ClickHouseAnalyticsStore(options.wrapSinkClient?.(client) ?? client);
  const sink = new AnalyticsSinkService(store, {
    batch: { maxRows: config.ANALYTICS_BATCH_MAX_ROWS, maxDelayMs: config.ANALYTICS_BATCH_MAX_DELAY_MS, lingerMs: config.ANALYTICS_BATCH_LINGER_MS },
    cleanedTopic: config.ANALYTICS_VECTOR_CLEANED_TOPIC,
  });
  const queries = new AnalyticsQueryService(new ClickHouseSqlRunner(client));
  let consumer: StageConsumer | undefined;
  let producer: AvroProducer | undefined;
  if (config.ANALYTICS_SINK_ENABLED) {
    const kafkaConfig = toKafkaConfig(config);
    const kafka = createKafkaClient(kafkaConfig, logger);
    const codec = SchemaRegistryGateway.connect({ url: config.SCHEMA_REGISTRY_URL });
    producer = new AvroProducer(kafka, codec, { retries: kafkaConfig.producerRetries });
    const routes = analyticsRoutes(codec, sink, {
      imageArrived: config.ANALYTICS_IMAGE_ARRIVED_TOPIC,
      vectorCleaned: config.ANALYTICS_VECTOR_CLEANED_TOPIC,
      indexUpdated: config.ANALYTICS_INDEX_UPDATED_TOPIC,
    }, config.ANALYTICS_BATCH_MAX_ROWS);
    consumer = new StageConsumer(kafka, new DeadLetterPublisher(producer), kafkaConfig, { stage: 'analytics', routes }, logger);
    await consumer.start();
  }
  return {
    client,
    queries,
    sink,
    async stop() {
      await consumer?.stop();
      await sink.drain().catch((err: unknown) => logger.warn({ err }, 'pending analytics rows not written; they are redelivered'));
      await producer?.disconnect();
      if (options.client === undefined) await client.close();
    },
  };
}
