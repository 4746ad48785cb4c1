import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { createClickHouseClient } from '@stylestream/clickhouse';
import { AvroProducer, TopicProvisioner, createKafkaClient, loadKafkaConfig } from '@stylestream/kafka';
import { type ImageArrived, SchemaRegistryGateway, imageArrivedContract } from '@stylestream/schemas';
import { stack, uniqueName, waitFor } from '@stylestream/test-support';
import { quarterOf } from '../src/domain/quarter';
import { liveFactTerms } from '../src/query/stats-queries';
import { reconcileDerivedTables } from '../src/sink/derived-tables';
import { AnalyticsAppProcess } from './analytics-app.process';
import { imageArrived } from './analytics-events.fixture';

/**
 * Real: Kafka and the registry of the local stack; the analytics app as a
 * child process (dist/, built by `npm run build`) on the embedded engine in a
 * temporary directory. It is killed with SIGKILL three times while it works
 * through a replay of image-arrived (new images, re-publications that replace
 * an image's row at its key or move it to another quarter or blogger, take-downs); after the last restart
 * drains the topic, the stored images equal the source exactly.
 * Size: ANALYTICS_CRASH_EVENTS (default 100,000, long enough that every kill lands mid-replay on a fast machine; 200,000 for the full run).
 */
const EVENTS = Number(process.env.ANALYTICS_CRASH_EVENTS ?? 100_000);
jest.setTimeout(300_000 + EVENTS * 5); // generous: the shared machine runs at load 20-50
/** Small inserts (many batches, so each kill lands inside one), larger for the big run. */
const BATCH_ROWS = Math.max(250, Math.round(EVENTS / 80));

const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
const QUARTER_STARTS = [Date.UTC(2025, 0, 1), Date.UTC(2025, 3, 1), Date.UTC(2025, 6, 1), Date.UTC(2025, 9, 1)];
const COLORS = ['red', 'black', 'blue', 'white', 'green', 'beige'];

/**
 * The source: event i is a new image (90%), a re-publication of an earlier one
 * (8%: half keep its quarter and blogger, i.e. replace the row at its key, half
 * move it) or a take-down (2%).
 */
function sourceEvents(n: number): { key: string; value: ImageArrived | null }[] {
  const out: { key: string; value: ImageArrived | null }[] = [];
  const ids: string[] = [];
  const seedOf = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const r = (i * 2654435761) % 100;
    const earlier = ids.length > 0 ? ids[(i * 7919) % ids.length] : undefined;
    const facts = (seed: number): Parameters<typeof imageArrived>[1] => ({
      quarterStart: QUARTER_STARTS[seed % 4],
      bloggerId: `blogger-${seed % 331}`,
      source: seed % 5 === 0 ? 'runway' : 'social',
      labels: { color: [COLORS[seed % COLORS.length]], category: [seed % 2 === 0 ? 'dress' : 'coat'] },
    });
    if (r < 2 && earlier !== undefined) out.push({ key: earlier, value: null });
    else if (r < 6 && earlier !== undefined) {
      const kept = facts(seedOf.get(earlier) ?? 0);
      out.push({ key: earlier, value: imageArrived(earlier, { ...facts(i * 13 + 1), quarterStart: kept.quarterStart, bloggerId: kept.bloggerId }) });
    } else if (r < 10 && earlier !== undefined) {
      seedOf.set(earlier, i * 13 + 1);
      out.push({ key: earlier, value: imageArrived(earlier, facts(i * 13 + 1)) });
    } else {
      const id = `crash-${i}`;
      ids.push(id);
      seedOf.set(id, i);
      out.push({ key: id, value: imageArrived(id, facts(i)) });
    }
  }
  return out;
}

/** The final state the source describes: the last event of each image wins; a take-down removes it. */
function expectedRows(events: readonly { key: string; value: ImageArrived | null }[]): string[] {
  const last = new Map<string, ImageArrived | null>();
  for (const e of events) last.set(e.key, e.value);
  return [...last]
    .filter((entry): entry is [string, ImageArrived] => entry[1] !== null)
    .map(([id, v]) => `${id}|${quarterOf(v.publishedAt)}|${v.bloggerId}|${v.source}|${v.labels.color.join(',')}|${v.labels.category.join(',')}`)
    .sort();
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });
}

describe(`analytics sink killed with SIGKILL three times during a ${EVENTS}-event replay`, () => {
  const dir = mkdtempSync(join(tmpdir(), 'analytics-crash-'));
  const topics = { imageArrived: uniqueName('crash-arrived'), vectorCleaned: uniqueName('crash-cleaned'), indexUpdated: uniqueName('crash-indexed') };
  const groupId = uniqueName('crash-group');
  const kafka = createKafkaClient(loadKafkaConfig({ KAFKA_BROKERS: stack.brokers.join(','), KAFKA_CLIENT_ID: 'crash-test' }), logger);

  let app: AnalyticsAppProcess | undefined;

  afterAll(async () => {
    if (app?.running === true) await app.kill9();
    rmSync(dir, { recursive: true, force: true });
  });

  it('stores exactly the source after every restart caught up', async () => {
    await new TopicProvisioner(kafka, logger).ensure(Object.values(topics).map((topic) => ({ topic, partitions: 4, replicationFactor: 1, withDeadLetterTopic: true })));
    const events = sourceEvents(EVENTS);
    const producer = new AvroProducer(kafka, SchemaRegistryGateway.connect({ url: stack.registryUrl }), { retries: 5 });
    const contract = imageArrivedContract.onTopic(topics.imageArrived);
    for (let start = 0; start < events.length; start += 1000) await producer.sendBatch(contract, events.slice(start, start + 1000));
    await producer.disconnect();

    const port = await freePort();
    const sink = new AnalyticsAppProcess({
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
      ANALYTICS_BATCH_MAX_ROWS: String(BATCH_ROWS),
      KAFKA_PARTITIONS_CONCURRENCY: '1',
      PORT: String(port),
      LOG_LEVEL: 'warn',
    });
    app = sink;
    const admin = kafka.admin();
    await admin.connect();
    // Committed offsets of the group, summed (the topic was filled beforehand and starts at 0).
    const committed = async (): Promise<number> => {
      const [offsets] = await admin.fetchOffsets({ groupId, topics: [topics.imageArrived] });
      return offsets.partitions.reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
    };
    const killedAt: number[] = [];
    try {
      // Each round: start, wait until this process has committed past the next quarter of the topic
      // (so it is working: the next batch is being decoded, buffered or inserted), then SIGKILL.
      for (const fraction of [0.25, 0.5, 0.75]) {
        const before = killedAt.at(-1) ?? 0;
        sink.start();
        await waitFor(async () => {
          const at = await committed();
          return at > before && at >= EVENTS * fraction;
        }, { what: `sink past ${fraction * 100}% (${sink.tail()})`, timeoutMs: 60_000 + EVENTS * 2, intervalMs: 10 });
        await sink.kill9();
        killedAt.push(await committed());
      }
      sink.start();
      // The last instance must be running its code (signal handler installed) before it is asked to stop:
      // the previous one may already have committed everything, so "caught up" alone can hold at spawn time.
      await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/health`).then((r) => r.ok).catch(() => false)), { what: `analytics answering on ${port} (${sink.tail()})`, timeoutMs: 120_000 });
      await waitFor(async () => (await committed()) === EVENTS, { what: `sink caught up after the restarts (${sink.tail()})`, timeoutMs: 60_000 + EVENTS * 2 });
      const code = await sink.stop();
      expect({ code, tail: code === 0 ? '' : sink.tail() }).toEqual({ code: 0, tail: '' });
    } finally {
      if (sink.running) await sink.kill9();
      await admin.disconnect();
    }
    // Every kill left work behind it.
    expect(killedAt.every((at, i) => at < EVENTS && at > (killedAt[i - 1] ?? 0))).toBe(true);
    process.stderr.write(`killed at committed offsets ${killedAt.join(', ')} of ${EVENTS}\n`);

    const client = createClickHouseClient({ kind: 'embedded', path: join(dir, 'clickhouse') });
    try {
      const live = async (from: string): Promise<string[]> =>
        (
          await (
            await client.query({
              query: `SELECT concat(image_id, '|', quarter, '|', blogger_id, '|', source, '|', arrayStringConcat(color, ','), '|', arrayStringConcat(category, ',')) AS r FROM ${from} ORDER BY r`,
              format: 'JSONEachRow',
            })
          ).json<{ r: string }>()
        )
          .map((row) => row.r)
          .sort();
      const expected = expectedRows(events);
      const rows = await live('image_facts FINAL');
      expect(rows.length).toBe(expected.length);
      expect(rows).toEqual(expected);
      // So do image_facts' rows read as the trend questions read them, without FINAL (liveFactTerms: `is_update` and the highest version per image).
      expect(await live(`image_facts WHERE ${liveFactTerms().join(' AND ')}`)).toEqual(expected);
      // And the tables views keep from image_facts (label_counts, facts_by_blogger) agree with its live rows:
      // each start repairs what a kill between an insert and its views left, and nothing drifted after.
      expect(await reconcileDerivedTables(client, logger)).toEqual([]);
    } finally {
      await client.close();
    }
  });
});
