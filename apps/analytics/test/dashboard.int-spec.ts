import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import pino from 'pino';
import { type Browser, chromium } from 'playwright-core';
import { loadConfig } from '@stylestream/config';
import { type ClickHouseClient, createClickHouseClient } from '@stylestream/clickhouse';
import { AvroProducer, TopicProvisioner, createKafkaClient, toKafkaConfig } from '@stylestream/kafka';
import { SchemaRegistryGateway, imageArrivedContract } from '@stylestream/schemas';
import { stack, uniqueName, waitFor } from '@stylestream/test-support';
import { analyticsConfigSchema } from '../src/analytics.config';
import { type AnalyticsRuntime, startAnalytics } from '../src/analytics.runtime';
import { createAnalyticsHttpApp } from '../src/http/analytics-http.app';
import type { TrendStats } from '../src/query/analytics-query.service';
import { imageArrived } from './analytics-events.fixture';

/**
 * Real: Kafka and the registry of the local stack, the analytics sink and
 * query API on the embedded engine (temporary directory), the dashboard page
 * in headless Chromium (Debian `chromium`, driven by playwright-core, no
 * network beyond this process). Faked: nothing. A missing Chromium fails
 * the test (deploy/local/system-packages.sh installs it).
 */
jest.setTimeout(120_000);

const CHROMIUM_CANDIDATES = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];
const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
const topics = { imageArrived: uniqueName('dash-arrived'), vectorCleaned: uniqueName('dash-cleaned'), indexUpdated: uniqueName('dash-indexed') };
const dir = mkdtempSync(join(tmpdir(), 'analytics-dashboard-'));
const QUARTERS = [Date.UTC(2024, 9, 1), Date.UTC(2025, 0, 1), Date.UTC(2025, 3, 1), Date.UTC(2025, 6, 1)];
const COLORS = ['red', 'black', 'blue', 'white', 'green', 'beige', 'pink', 'navy', 'grey', 'olive'];

/** Run inside the page (strings: this project compiles without the DOM library). */
const PAGE_DONE = 'document.body.dataset.state !== undefined';
const PAGE_STATE = "[document.body.dataset.state, document.getElementById('status').textContent]";
/** The page's Chart.js instances (window.dashboardCharts) as plain data, with the count of painted canvas pixels. */
const CHARTS_SNAPSHOT = `Object.fromEntries(Object.entries(window.dashboardCharts).map(([id, chart]) => {
  const { width, height } = chart.canvas;
  const pixels = chart.canvas.getContext('2d').getImageData(0, 0, width, height).data;
  let painted = 0;
  for (let i = 3; i < pixels.length; i += 4) if (pixels[i] !== 0) painted++;
  return [id, { type: chart.config.type, labels: [...chart.data.labels], datasets: chart.data.datasets.map((d) => ({ label: d.label, data: [...d.data] })), paintedPixels: painted }];
}))`;

/** What CHARTS_SNAPSHOT returns per chart. */
interface RenderedChart {
  type: string;
  labels: string[];
  datasets: { label: string; data: number[] }[];
  paintedPixels: number;
}

describe('dashboard in headless Chromium over real sunk events', () => {
  let client: ClickHouseClient;
  let runtime: AnalyticsRuntime;
  let http: NestExpressApplication;
  let browser: Browser;
  let baseUrl: string;
  const events = QUARTERS.flatMap((start, q) =>
    Array.from({ length: 40 + q * 10 }, (_, i) =>
      imageArrived(`d${q}-${i}`, {
        quarterStart: start,
        bloggerId: `blogger-${i % 7}`,
        source: i % 3 === 0 ? 'runway' : 'social',
        // the colour mix shifts each quarter, so some labels rise and some fall
        labels: { color: [COLORS[(i + q * (i % 2)) % COLORS.length]], category: [i % 2 === 0 ? 'dress' : 'jacket'] },
      }),
    ),
  );

  beforeAll(async () => {
    const executablePath = CHROMIUM_CANDIDATES.find((p): p is string => p !== undefined && existsSync(p));
    if (executablePath === undefined) throw new Error('Chromium not found (CHROMIUM_PATH, /usr/bin/chromium): run deploy/local/system-packages.sh (apt package chromium)');
    const config = loadConfig(analyticsConfigSchema, {
      KAFKA_BROKERS: stack.brokers.join(','),
      KAFKA_GROUP_ID: uniqueName('dash-group'),
      KAFKA_RETRY_PROFILE: 'test',
      KAFKA_MAX_WAIT_MS: '100',
      SCHEMA_REGISTRY_URL: stack.registryUrl,
      CLICKHOUSE_DATA_DIR: join(dir, 'clickhouse'),
      ANALYTICS_IMAGE_ARRIVED_TOPIC: topics.imageArrived,
      ANALYTICS_VECTOR_CLEANED_TOPIC: topics.vectorCleaned,
      ANALYTICS_INDEX_UPDATED_TOPIC: topics.indexUpdated,
      ANALYTICS_BATCH_LINGER_MS: '5',
    });
    const kafka = createKafkaClient(toKafkaConfig(config), logger);
    await new TopicProvisioner(kafka, logger).ensure(Object.values(topics).map((topic) => ({ topic, partitions: 2, replicationFactor: 1, withDeadLetterTopic: true })));
    const producer = new AvroProducer(kafka, SchemaRegistryGateway.connect({ url: stack.registryUrl }), { retries: 3 });
    await producer.sendBatch(imageArrivedContract.onTopic(topics.imageArrived), events.map((value) => ({ key: value.imageId, value })));
    await producer.disconnect();

    client = createClickHouseClient({ kind: 'embedded', path: join(dir, 'clickhouse') });
    runtime = await startAnalytics(config, logger, { client });
    await waitFor(async () => Number((await (await client.query({ query: 'SELECT count() AS n FROM image_facts FINAL', format: 'JSONEachRow' })).json<{ n: string }>())[0].n) === events.length, {
      what: `${events.length} images sunk`,
    });
    http = await createAnalyticsHttpApp(runtime.queries, logger);
    await http.listen(0, '127.0.0.1');
    baseUrl = `http://127.0.0.1:${(http.getHttpServer().address() as AddressInfo).port}`;
    browser = await chromium.launch({ executablePath, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run', '--disable-extensions'] });
  });

  afterAll(async () => {
    await browser?.close();
    await http?.close();
    await runtime?.stop();
    await client?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('draws trend lines, up/down bars and pies with the numbers of the query API', async () => {
    const page = await browser.newPage();
    const failed: string[] = [];
    page.on('requestfailed', (r) => failed.push(r.url()));
    page.on('pageerror', (e) => failed.push(e.message));
    // Offline: anything not served by this process is refused.
    await page.route('**/*', (route) => (route.request().url().startsWith(baseUrl) ? route.continue() : route.abort()));
    await page.goto(`${baseUrl}/dashboard?quarter=2025Q3&dimension=color&bloggers=blogger-1,blogger-2,nobody`);
    await page.waitForFunction(PAGE_DONE, undefined, { timeout: 30_000 });
    expect(await page.evaluate<string[]>(PAGE_STATE)).toEqual(['ready', expect.stringContaining('2025Q3')]);
    expect(failed).toEqual([]);

    const charts = await page.evaluate<Record<string, RenderedChart>>(CHARTS_SNAPSHOT);
    expect(Object.keys(charts).sort()).toEqual(['change', 'followed', 'share', 'trend']);
    for (const chart of Object.values(charts)) {
      expect(chart.datasets.length).toBeGreaterThan(0);
      expect(chart.datasets.every((d) => d.data.length > 0)).toBe(true);
      expect(chart.paintedPixels).toBeGreaterThan(500);
    }

    // The charts carry the API's numbers.
    const api = async (quarter: string): Promise<TrendStats> => (await (await fetch(`${baseUrl}/v1/stats/trends?quarter=${quarter}&dimension=color&limit=1000`)).json()) as TrendStats;
    const current = await api('2025Q3');
    expect(charts.trend).toMatchObject({ type: 'line', labels: ['2024Q4', '2025Q1', '2025Q2', '2025Q3'] });
    const topLine = charts.trend.datasets[0];
    expect(topLine.label).toBe(current.values[0].value);
    const history = await Promise.all(['2024Q4', '2025Q1', '2025Q2'].map(api));
    expect(topLine.data).toEqual([...history.map((t) => t.values.find((v) => v.value === topLine.label)?.count ?? 0), current.values[0].count]);

    expect(charts.change.type).toBe('bar');
    const changes = new Map(current.values.map((v) => [v.value, v.change]));
    charts.change.labels.forEach((label, i) => expect(charts.change.datasets[0].data[i]).toBe(changes.get(label)));
    expect(charts.change.datasets[0].data.some((c) => c > 0)).toBe(true);
    expect(charts.change.datasets[0].data.some((c) => c < 0)).toBe(true);

    expect(charts.share.type).toBe('pie');
    expect(charts.share.datasets[0].data.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    expect(charts.followed).toMatchObject({ type: 'doughnut' });
    expect(charts.followed.labels.sort()).toEqual(['runway', 'social']);
    expect(await page.locator('#rising tbody tr').count()).toBeGreaterThan(0);
    await page.close();
  });

  it('a bad parameter shows the API reason on the page', async () => {
    const page = await browser.newPage();
    await page.goto(`${baseUrl}/dashboard?quarter=2025Q3&dimension=mood`);
    await page.waitForFunction(PAGE_DONE, undefined, { timeout: 30_000 });
    expect(await page.evaluate<string[]>(PAGE_STATE)).toEqual(['error', expect.stringContaining('400 dimension: must be one of')]);
    await page.close();
  });
});
