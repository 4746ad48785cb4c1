import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import pino from 'pino';
import request from 'supertest';
import { loadConfig } from '@stylestream/config';
import { type ClickHouseClient, createClickHouseClient } from '@stylestream/clickhouse';
import { AvroProducer, TopicProvisioner, createKafkaClient, toKafkaConfig } from '@stylestream/kafka';
import { type ImageArrived, LABEL_DIMENSIONS, SchemaRegistryGateway, imageArrivedContract, indexUpdatedContract, vectorCleanedContract } from '@stylestream/schemas';
import { stack, uniqueName, waitFor } from '@stylestream/test-support';
import { type AnalyticsConfig, analyticsConfigSchema } from '../src/analytics.config';
import { type AnalyticsRuntime, startAnalytics } from '../src/analytics.runtime';
import { createAnalyticsHttpApp } from '../src/http/analytics-http.app';
import { AnalyticsQueryService, type RisingLabel, type TrendStats } from '../src/query/analytics-query.service';
import { ClickHouseSqlRunner } from '../src/query/sql-runner';
import { type SqlQuery, followedScanQuery, liveFactTerms, risingQuery, trendQuery } from '../src/query/stats-queries';
import { parseFollowedRequest, parseRisingRequest, parseTrendRequest } from '../src/query/stats-request';
import { Q1_2024, Q1_2025, Q2_2025, imageArrived, indexUpdated, vectorCleaned } from './analytics-events.fixture';
import { FailingClickHouseSwitch } from './failing-clickhouse.client';

/**
 * Real: Kafka and the schema registry of the local stack, the embedded
 * ClickHouse engine (chdb) on a temporary directory. Topics and groups are
 * unique to this run. Faked: nothing, except a switch in front of the sink's
 * client that makes inserts fail on demand.
 */
jest.setTimeout(90_000);

const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
const topics = { imageArrived: uniqueName('an-image-arrived'), vectorCleaned: uniqueName('an-vector-cleaned'), indexUpdated: uniqueName('an-index-updated') };
const dir = mkdtempSync(join(tmpdir(), 'analytics-int-'));

function configFor(groupId: string): AnalyticsConfig {
  return loadConfig(analyticsConfigSchema, {
    KAFKA_BROKERS: stack.brokers.join(','),
    KAFKA_GROUP_ID: groupId,
    KAFKA_RETRY_PROFILE: 'test',
    KAFKA_MAX_WAIT_MS: '100',
    KAFKA_SESSION_TIMEOUT_MS: '6000',
    KAFKA_HEARTBEAT_INTERVAL_MS: '500',
    SCHEMA_REGISTRY_URL: stack.registryUrl,
    CLICKHOUSE_DATA_DIR: join(dir, 'clickhouse'),
    ANALYTICS_IMAGE_ARRIVED_TOPIC: topics.imageArrived,
    ANALYTICS_VECTOR_CLEANED_TOPIC: topics.vectorCleaned,
    ANALYTICS_INDEX_UPDATED_TOPIC: topics.indexUpdated,
    ANALYTICS_BATCH_LINGER_MS: '5',
    ANALYTICS_BATCH_MAX_DELAY_MS: '200',
  });
}

const images: Record<string, ImageArrived> = {
  a1: imageArrived('a1', { quarterStart: Q2_2025, bloggerId: 'b1', source: 'social', labels: { category: ['dress'], color: ['red', 'black'] } }),
  a2: imageArrived('a2', { quarterStart: Q2_2025, bloggerId: 'b1', source: 'social', labels: { category: ['dress'], color: ['red'] } }),
  a3: imageArrived('a3', { quarterStart: Q2_2025, bloggerId: 'b2', source: 'runway', labels: { category: ['jacket'], color: ['blue'] } }),
  a4: imageArrived('a4', { quarterStart: Q1_2025, bloggerId: 'b1', source: 'social', labels: { category: ['dress'], color: ['blue'] } }),
  a5: imageArrived('a5', { quarterStart: Q1_2025, bloggerId: 'b3', source: 'retail', labels: { category: ['dress'], color: ['red'] } }),
  a6: imageArrived('a6', { quarterStart: Q2_2025, bloggerId: 'b3', source: 'retail', labels: { category: ['dress'], color: ['black'] } }),
  a7: imageArrived('a7', { quarterStart: Q2_2025, bloggerId: 'b2', source: 'social', labels: { category: ['dress'], color: ['red'] } }),
};

interface ErrorBody {
  reason: string;
}

interface TableState {
  facts: unknown[];
  dedup: unknown[];
  counts: unknown[];
  byBlogger: unknown[];
}

describe('analytics sink and query API', () => {
  const kafkaConfig = toKafkaConfig(configFor('unused'));
  const kafka = createKafkaClient(kafkaConfig, logger);
  const gateway = SchemaRegistryGateway.connect({ url: stack.registryUrl });
  const producer = new AvroProducer(kafka, gateway, { retries: 3 });
  const chSwitch = new FailingClickHouseSwitch();
  let client: ClickHouseClient;
  let runtime: AnalyticsRuntime;
  let http: NestExpressApplication;

  const rows = async <T>(query: string): Promise<T[]> => (await client.query({ query, format: 'JSONEachRow' })).json<T>();
  const liveIds = async (): Promise<string[]> => (await rows<{ image_id: string }>('SELECT image_id FROM image_facts FINAL ORDER BY image_id')).map((r) => r.image_id);
  const state = async (): Promise<TableState> => ({
    facts: await rows('SELECT * FROM image_facts FINAL ORDER BY image_id'),
    dedup: await rows('SELECT * FROM image_dedup FINAL ORDER BY image_id'),
    counts: await rows('SELECT quarter, source, dimension, label, sum(images) AS n FROM label_counts GROUP BY ALL HAVING n != 0 ORDER BY ALL'),
    byBlogger: await rows(`SELECT blogger_hash, quarter, source, ${LABEL_DIMENSIONS.join(', ')}, sum(sign) AS n FROM facts_by_blogger GROUP BY ALL HAVING n != 0 ORDER BY ALL`),
  });

  beforeAll(async () => {
    await new TopicProvisioner(kafka, logger).ensure([
      { topic: topics.imageArrived, partitions: 2, replicationFactor: 1, withDeadLetterTopic: true },
      { topic: topics.vectorCleaned, partitions: 1, replicationFactor: 1, withDeadLetterTopic: true },
      { topic: topics.indexUpdated, partitions: 1, replicationFactor: 1, withDeadLetterTopic: true },
    ]);
    client = createClickHouseClient({ kind: 'embedded', path: join(dir, 'clickhouse') });
    runtime = await startAnalytics(configFor(uniqueName('an-group')), logger, { client, wrapSinkClient: (c) => chSwitch.wrap(c) });
    http = await createAnalyticsHttpApp(runtime.queries, logger);
    await http.init();
  });

  afterAll(async () => {
    await http?.close();
    await runtime?.stop();
    await producer.disconnect();
    await client?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('events in -> one wide row per image; a tombstone deletes', async () => {
    const arrived = imageArrivedContract.onTopic(topics.imageArrived);
    await producer.sendBatch(arrived, Object.values(images).map((v) => ({ key: v.imageId, value: v })));
    const cleaned = vectorCleanedContract.onTopic(topics.vectorCleaned);
    await producer.sendBatch(cleaned, [
      { key: 'a1', value: vectorCleaned(images.a1, 'UNIQUE') },
      { key: 'a7', value: vectorCleaned(images.a7, 'EXACT_DUPLICATE', 'a1') },
    ]);
    await producer.send(indexUpdatedContract.onTopic(topics.indexUpdated), 'shard-1', indexUpdated('shard-1', 0));
    await waitFor(async () => (await liveIds()).length === 7, { what: '7 images in image_facts' });

    await producer.send(arrived, 'a6', null);
    await waitFor(async () => !(await liveIds()).includes('a6'), { what: 'a6 taken down' });
    expect(await liveIds()).toEqual(['a1', 'a2', 'a3', 'a4', 'a5', 'a7']);
    const projected = `image_id, quarter, blogger_id, source, ${LABEL_DIMENSIONS.join(', ')}, version`;
    // image_facts read without FINAL, as the trend questions read it: the same live rows.
    expect(await rows(`SELECT ${projected} FROM image_facts WHERE ${liveFactTerms().join(' AND ')} ORDER BY image_id`)).toEqual(
      await rows(`SELECT ${projected} FROM image_facts FINAL ORDER BY image_id`),
    );

    await waitFor(async () => (await rows('SELECT image_id FROM images_wide WHERE indexed')).length === 1, { what: 'a1 indexed' });
    const wide = await rows<{ image_id: string; quarter: string; color: string[]; dedup_status: string; duplicate_of: string | null; indexed: number | boolean }>(
      "SELECT image_id, quarter, color, dedup_status, duplicate_of, indexed FROM images_wide WHERE image_id IN ('a1', 'a7', 'a2') ORDER BY image_id",
    );
    expect(wide.map((w) => [w.image_id, w.quarter, w.color, w.dedup_status, w.duplicate_of, Boolean(Number(w.indexed))])).toEqual([
      ['a1', '2025Q2', ['red', 'black'], 'UNIQUE', null, true],
      ['a2', '2025Q2', ['red'], '', null, false],
      ['a7', '2025Q2', ['red'], 'EXACT_DUPLICATE', 'a1', false],
    ]);
  });

  it('query API answers with exact numbers over the seeded images', async () => {
    const trend = await request(http.getHttpServer()).get('/v1/stats/trends').query({ quarter: '2025Q2', dimension: 'color' }).expect(200);
    expect(trend.body).toEqual({
      quarter: '2025Q2',
      previousQuarter: '2025Q1',
      dimension: 'color',
      images: 4,
      previousImages: 2,
      values: [
        { value: 'red', count: 3, previousCount: 1, change: 2, direction: 'up', share: 0.6 },
        { value: 'blue', count: 1, previousCount: 1, change: 0, direction: 'flat', share: 0.2 },
        { value: 'black', count: 1, previousCount: 0, change: 1, direction: 'up', share: 0.2 },
      ],
    });

    const dresses = await request(http.getHttpServer()).get('/v1/stats/trends').query({ quarter: '2025Q2', dimension: 'color', where: 'category:dress' }).expect(200);
    expect((dresses.body as TrendStats).values).toEqual([
      { value: 'red', count: 3, previousCount: 1, change: 2, direction: 'up', share: 0.75 },
      { value: 'black', count: 1, previousCount: 0, change: 1, direction: 'up', share: 0.25 },
      { value: 'blue', count: 0, previousCount: 1, change: -1, direction: 'down', share: 0 },
    ]);

    const unique = await request(http.getHttpServer()).get('/v1/stats/trends').query({ quarter: '2025Q2', dimension: 'color', uniqueOnly: 'true' }).expect(200);
    expect((unique.body as TrendStats).images).toBe(3);
    expect((unique.body as TrendStats).values[0]).toMatchObject({ value: 'red', count: 2 });

    const rising = await request(http.getHttpServer()).get('/v1/stats/rising').query({ quarter: '2025Q2' }).expect(200);
    expect((rising.body as RisingLabel[]).map((r) => `${r.dimension}:${r.value}:${r.change}`)).toEqual([
      'color:red:2',
      'category:dress:1',
      'category:jacket:1',
      'color:black:1',
    ]);

    const followed = await request(http.getHttpServer())
      .post('/v1/stats/followed-bloggers')
      .send({ bloggerIds: ['b1', 'b3', 'nobody'], dimension: 'color' })
      .expect(200);
    expect(followed.body).toEqual({
      bloggersRequested: 3,
      bloggersWithImages: 2,
      images: 4,
      dimension: 'color',
      byValue: [
        { value: 'red', count: 3, share: 0.6 },
        { value: 'black', count: 1, share: 0.2 },
        { value: 'blue', count: 1, share: 0.2 },
      ],
      bySource: [
        { source: 'social', count: 3 },
        { source: 'retail', count: 1 },
      ],
      byQuarter: [
        { quarter: '2025Q1', count: 2 },
        { quarter: '2025Q2', count: 2 },
      ],
    });
    const narrowed = await request(http.getHttpServer())
      .post('/v1/stats/followed-bloggers')
      .send({ bloggerIds: ['b1', 'b3'], dimension: 'category', quarters: ['2025Q2'], where: [{ dimension: 'color', value: 'red' }] })
      .expect(200);
    expect(narrowed.body).toMatchObject({ images: 2, byValue: [{ value: 'dress', count: 2, share: 1 }] });
  });

  it('bad parameters -> 400 naming the parameter', async () => {
    const server = http.getHttpServer();
    const mood = await request(server).get('/v1/stats/trends').query({ quarter: '2025Q2', dimension: 'mood' }).expect(400);
    expect((mood.body as ErrorBody).reason).toMatch(/^dimension:/);
    const quarter = await request(server).get('/v1/stats/trends').query({ quarter: '2025Q5', dimension: 'color' }).expect(400);
    expect((quarter.body as ErrorBody).reason).toMatch(/^quarter:/);
    const many = Array.from({ length: 2001 }, (_, i) => `b${i}`);
    const tooMany = await request(server).post('/v1/stats/followed-bloggers').send({ bloggerIds: many, dimension: 'color' }).expect(400);
    expect((tooMany.body as ErrorBody).reason).toMatch(/^bloggerIds:.*2000/);
  });

  it('ClickHouse down -> consumption pauses, then resumes with nothing lost', async () => {
    chSwitch.down = true;
    const arrived = imageArrivedContract.onTopic(topics.imageArrived);
    const outage = ['f1', 'f2', 'f3', 'f4'].map((id) => imageArrived(id, { quarterStart: Q1_2024, bloggerId: 'bf', source: 'street', labels: { style: ['vintage'] } }));
    await producer.sendBatch(arrived, outage.map((v) => ({ key: v.imageId, value: v })));
    await waitFor(() => chSwitch.failedInserts >= 3, { what: 'repeated insert attempts while down' });
    expect((await liveIds()).filter((id) => id.startsWith('f'))).toEqual([]);
    chSwitch.down = false;
    await waitFor(async () => (await liveIds()).filter((id) => id.startsWith('f')).length === 4, { what: 'outage events written after recovery' });
  });

  it('a full replay of every topic (a new consumer group from the beginning) changes nothing', async () => {
    const before = await state();
    const rawFacts = async (): Promise<number> => Number((await rows<{ n: string }>('SELECT count() AS n FROM image_facts'))[0].n);
    const rawBefore = await rawFacts();
    const replayGroup = uniqueName('an-replay');
    await runtime.stop();
    runtime = await startAnalytics(configFor(replayGroup), logger, { client });
    const admin = kafka.admin();
    await admin.connect();
    try {
      await waitFor(
        async () => {
          const lag = await Promise.all(
            Object.values(topics).map(async (topic) => {
              const [committed] = await admin.fetchOffsets({ groupId: replayGroup, topics: [topic] });
              const ends = await admin.fetchTopicOffsets(topic);
              return ends.every((end) => Number(committed.partitions.find((p) => p.partition === end.partition)?.offset ?? -1) >= Number(end.high));
            }),
          );
          return lag.every(Boolean);
        },
        { what: 'replay group caught up', timeoutMs: 30_000 },
      );
    } finally {
      await admin.disconnect();
    }
    expect(await state()).toEqual(before);
    expect(await rawFacts()).toBe(rawBefore); // stale versions are not even written
  });

  it('label_counts and the blogger-ordered copy follow re-publications, moves and take-downs: they answer as the scan does', async () => {
    const arrived = imageArrivedContract.onTopic(topics.imageArrived);
    await producer.sendBatch(arrived, [
      { key: 'a2', value: { ...images.a2, labels: { ...images.a2.labels, color: ['green'] } } }, // same key, new labels
      { key: 'a4', value: { ...images.a4, bloggerId: 'b9' } }, // moves to another key
      { key: 'a3', value: null }, // taken down
    ]);
    await waitFor(
      async () => {
        const live = await rows<{ image_id: string; blogger_id: string; color: string[] }>("SELECT image_id, blogger_id, color FROM image_facts FINAL WHERE image_id IN ('a2', 'a3', 'a4') ORDER BY image_id");
        return JSON.stringify(live.map((r) => [r.image_id, r.blogger_id, r.color])) === JSON.stringify([['a2', 'b1', ['green']], ['a4', 'b9', ['blue']]]);
      },
      { what: 'a2 re-published, a4 moved, a3 taken down' },
    );
    const trend = await request(http.getHttpServer()).get('/v1/stats/trends').query({ quarter: '2025Q2', dimension: 'color' }).expect(200);
    expect(trend.body).toMatchObject({ images: 3, previousImages: 2 });
    expect((trend.body as TrendStats).values).toEqual([
      { value: 'red', count: 2, previousCount: 1, change: 1, direction: 'up', share: 0.5 },
      { value: 'black', count: 1, previousCount: 0, change: 1, direction: 'up', share: 0.25 },
      { value: 'green', count: 1, previousCount: 0, change: 1, direction: 'up', share: 0.25 },
      { value: 'blue', count: 0, previousCount: 1, change: -1, direction: 'down', share: 0 },
    ]);
    // The app reads label_counts here; the scan of image_facts (the SQL of questions with conditions) must agree, every dimension, with a source filter too.
    const sql = new ClickHouseSqlRunner(client);
    // The app's answer assembly over the scan's statement, whatever SQL the app itself picks.
    const scanning = (query: SqlQuery): AnalyticsQueryService => new AnalyticsQueryService({ rows: <T>() => sql.rows<T>(query) });
    for (const quarter of ['2025Q2', '2025Q1', '2024Q1']) {
      for (const source of [undefined, 'social,retail']) {
        for (const dimension of LABEL_DIMENSIONS) {
          const req = parseTrendRequest({ quarter, dimension, ...(source === undefined ? {} : { source }) });
          expect(await runtime.queries.trend(req)).toEqual(await scanning(trendQuery(req)).trend(req));
        }
        const rising = parseRisingRequest({ quarter, ...(source === undefined ? {} : { source }) });
        expect(await runtime.queries.rising(rising)).toEqual(await scanning(risingQuery(rising)).rising(rising));
      }
    }
    // Followed questions read the signed blogger-ordered copy (facts_by_blogger); the scan of image_facts must agree.
    const bloggerIds = ['b1', 'b2', 'b3', 'b9', 'nobody'];
    for (const quarters of [[], ['2025Q2'], ['2025Q2', '2025Q1', '2024Q1']]) {
      for (const where of [[], [{ dimension: 'category', value: 'dress' }]]) {
        for (const sources of [[], ['social', 'retail']]) {
          for (const dimension of ['color', 'category', 'style'] as const) {
            const req = parseFollowedRequest({ bloggerIds, dimension, quarters, where, sources });
            expect(await runtime.queries.followed(req)).toEqual(await scanning(followedScanQuery(req)).followed(req));
          }
        }
      }
    }
    // b9 holds only the moved a4; a3 (b2) is gone: b2 keeps a7.
    const moved = await runtime.queries.followed(parseFollowedRequest({ bloggerIds: ['b9', 'b2'], dimension: 'color' }));
    expect(moved).toMatchObject({ bloggersWithImages: 2, images: 2, byValue: [{ value: 'blue', count: 1, share: 0.5 }, { value: 'red', count: 1, share: 0.5 }] });
  });

  it('a view-kept table that lost rows (a kill between an insert and its views) is filled again at start', async () => {
    const before = await state();
    expect(before.counts.length).toBeGreaterThan(0);
    await client.command({ query: 'TRUNCATE TABLE label_counts' });
    await client.command({ query: "ALTER TABLE facts_by_blogger DELETE WHERE quarter = '2025Q2' SETTINGS mutations_sync = 1" });
    expect(await state()).not.toEqual(before);
    await runtime.stop();
    runtime = await startAnalytics(configFor(uniqueName('an-reconcile')), logger, { client });
    expect(await state()).toEqual(before);
  });
});
