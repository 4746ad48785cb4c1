import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import { loadConfig } from '@stylestream/config';
import type { ClickHouseClient } from '@stylestream/clickhouse';
import { AvroProducer, TopicProvisioner, consumerLag, createKafkaClient, toKafkaConfig } from '@stylestream/kafka';
import { IMAGE_SOURCES, type ImageArrived, LABEL_DIMENSIONS, SchemaRegistryGateway, emptyLabels, imageArrivedContract } from '@stylestream/schemas';
import { stack, uniqueName, waitFor } from '@stylestream/test-support';
import { analyticsConfigSchema } from '../../apps/analytics/src/analytics.config';
import { startAnalytics } from '../../apps/analytics/src/analytics.runtime';
import { BENCH_LABELS, benchLabel } from './analytics-dataset';
import { seeded } from './analytics-workload';

export interface IngestResult {
  readonly events: number;
  readonly partitions: number;
  /** Events / seconds from consumer start to every row stored (includes the group join). */
  readonly rpsFromStart: number;
  /** Rows stored after the first insert / seconds from that insert to the last (the steady rate). */
  readonly rps: number;
}

/**
 * The sink's ingestion rate: `events` image-arrived events (unique topics)
 * produced beforehand, then the analytics runtime (the app's own wiring:
 * StageConsumer, batch routes, RowBatcher, ClickHouse store, app defaults for
 * batching) consumes them into `client` until every row is in image_facts.
 */
export async function measureIngest(client: ClickHouseClient, events: number, logger: Logger): Promise<IngestResult> {
  const partitions = 8;
  const topics = { imageArrived: uniqueName('bench-an-arrived'), vectorCleaned: uniqueName('bench-an-cleaned'), indexUpdated: uniqueName('bench-an-indexed') };
  const groupId = uniqueName('bench-analytics');
  const config = loadConfig(analyticsConfigSchema, {
    KAFKA_BROKERS: stack.brokers.join(','),
    KAFKA_GROUP_ID: groupId,
    KAFKA_MAX_WAIT_MS: '50',
    SCHEMA_REGISTRY_URL: stack.registryUrl,
    ANALYTICS_IMAGE_ARRIVED_TOPIC: topics.imageArrived,
    ANALYTICS_VECTOR_CLEANED_TOPIC: topics.vectorCleaned,
    ANALYTICS_INDEX_UPDATED_TOPIC: topics.indexUpdated,
  });
  const kafka = createKafkaClient(toKafkaConfig(config), logger);
  await new TopicProvisioner(kafka, logger).ensure(Object.values(topics).map((topic) => ({ topic, partitions, replicationFactor: 1, withDeadLetterTopic: true })));
  const producer = new AvroProducer(kafka, SchemaRegistryGateway.connect({ url: stack.registryUrl }), { retries: 5 });
  const contract = imageArrivedContract.onTopic(topics.imageArrived);
  const random = seeded(7);
  const image = (i: number): ImageArrived => {
    const labels = emptyLabels();
    for (const d of LABEL_DIMENSIONS) labels[d] = [benchLabel(d, Math.floor(random() * BENCH_LABELS[d].size))];
    const publishedAt = Date.UTC(2025, 0, 1) + Math.floor(random() * 180 * 86_400_000);
    return { imageId: `ingest-${i}`, uri: `file:///bench/${i}.jpg`, source: IMAGE_SOURCES[i % IMAGE_SOURCES.length], bloggerId: `ingest-blogger-${i % 997}`, publishedAt, crawledAt: publishedAt + 60_000, labels, attributes: {} };
  };
  try {
    for (let start = 0; start < events; start += 1000) {
      await producer.sendBatch(contract, Array.from({ length: Math.min(1000, events - start) }, (_, k) => ({ key: `ingest-${start + k}`, value: image(start + k) })));
    }
  } finally {
    await producer.disconnect();
  }
  const stored = async (): Promise<number> =>
    Number((await (await client.query({ query: "SELECT count() AS n FROM image_facts WHERE image_id LIKE 'ingest-%'", format: 'JSONEachRow' })).json<{ n: string }>())[0].n);
  const started = performance.now();
  const runtime = await startAnalytics(config, logger, { client });
  let firstRowAt = 0;
  let firstRows = 0;
  try {
    await waitFor(
      async () => {
        const n = await stored();
        if (n > 0 && firstRowAt === 0) {
          firstRowAt = performance.now();
          firstRows = n;
        }
        return n >= events;
      },
      { timeoutMs: 600_000, intervalMs: 50, what: `${events} ingested rows` },
    );
    const done = performance.now();
    await waitFor(async () => (await consumerLag(kafka, groupId, [topics.imageArrived])) === 0, { timeoutMs: 60_000, what: 'offsets committed' });
    const rpsFromStart = Math.round(events / ((done - started) / 1000));
    // All rows in the first insert: no steady phase to time.
    const rps = firstRows >= events ? rpsFromStart : Math.round((events - firstRows) / (Math.max(1, done - firstRowAt) / 1000));
    return { events, partitions, rpsFromStart, rps };
  } finally {
    await runtime.stop();
  }
}
