/**
 * Integration, live: VectorsStoppedArriving fires when the extractor stops
 * while images keep arriving, and resolves when it is back — judged by the
 * local stack's Prometheus and read through its HTTP API.
 *
 * Real: Kafka, schema registry, Prometheus (scraping through file_sd, rule
 * evaluation, /-/reload), the built extractor app (ONNX model) and lag-monitor
 * app as child processes. The rule is the production one from
 * alerts/pipeline.yml with this test's topics and shortened windows (range
 * 45 s instead of 2 m, `for` 15 s instead of 1 m, group evaluated every 5 s),
 * dropped into the stack's test rules folder (`rule_files` glob
 * `$STACK_DIR/conf/prometheus/rules/*.yml`) and removed afterwards. Needs
 * `npm run build` (test/run.sh does it) and the model in models/ (`npm run model:build`).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Kafka, logLevel } from 'kafkajs';
import sharp from 'sharp';
import { AvroProducer } from '@stylestream/kafka';
import { SchemaRegistryGateway, imageArrivedContract, sampleImageArrived } from '@stylestream/schemas';
import { freePort, createTopics, stack, uniqueName, waitFor } from '@stylestream/test-support';
import { DemoAppProcess, type DemoAppLaunch } from '../../deploy/local/demo-app.process';
import { PrometheusTestClient, type PrometheusAlert } from './prometheus-test.client';
import { shortenedAlertRule } from './shortened-alert-rule';

jest.setTimeout(300_000);

const ROOT = resolve(__dirname, '../..');
const dist = (...parts: string[]): string => join(ROOT, 'dist', ...parts);
const MODEL_ID = 'mobilenet-v2-nsfwjs';

/** The folder of a `…/dir/*.ext` glob, if the glob has that shape. */
function folderOfGlob(glob: string | undefined, ext: string): string | undefined {
  return glob?.endsWith(`/*.${ext}`) === true ? dirname(glob) : undefined;
}

describe('VectorsStoppedArriving (live, local Prometheus)', () => {
  const prometheus = new PrometheusTestClient(stack.prometheusUrl);
  const run = uniqueName('e2e-vsa');
  const topics = { imageArrived: `${run}-image-arrived`, vectorExtracted: `${run}-vector-extracted` };
  const group = `${run}-extractor`;
  const kafka = new Kafka({ brokers: stack.brokers, clientId: 'alerting-it', logLevel: logLevel.NOTHING });
  const producer = new AvroProducer(kafka, SchemaRegistryGateway.connect({ url: stack.registryUrl }), { retries: 3 });
  const admin = kafka.admin();
  let work: string;
  let ruleFile: string | undefined;
  let extractorLaunch: DemoAppLaunch;
  let extractor: DemoAppProcess | undefined;
  let lagMonitor: DemoAppProcess | undefined;
  let arrivals: NodeJS.Timeout | undefined;
  let sent = 0;
  let sendFailure: unknown;

  const vectorsEnd = async (): Promise<number> => (await admin.fetchTopicOffsets(topics.vectorExtracted)).reduce((sum, p) => sum + Number(p.high), 0);
  const ourAlert = async (): Promise<PrometheusAlert | undefined> =>
    (await prometheus.alerts()).find((a) => a.labels.alertname === 'VectorsStoppedArriving' && a.labels.test_run === run);

  async function startExtractor(): Promise<DemoAppProcess> {
    const app = new DemoAppProcess(extractorLaunch);
    await app.start();
    return app;
  }

  beforeAll(async () => {
    for (const entry of [dist('apps', 'extractor', 'src', 'main.js'), dist('apps', 'lag-monitor', 'src', 'main.js')]) {
      if (!existsSync(entry)) throw new Error(`${entry} is missing: run \`npm run build\` first (test/run.sh does)`);
    }
    if (!existsSync(join(ROOT, 'models', MODEL_ID))) throw new Error(`models/${MODEL_ID} is missing: run \`npm run model:build\``);

    // Where this Prometheus reads test rules and app targets from (its own configuration says).
    const layout = await prometheus.layout();
    const rulesDir = layout.ruleFiles.map((g) => folderOfGlob(g, 'yml')).find((d) => d !== undefined && !d.endsWith('/alerts'));
    const targetsDir = folderOfGlob(layout.fileSdFiles('stylestream')[0], 'json');
    if (rulesDir === undefined || targetsDir === undefined) {
      throw new Error(
        `the Prometheus at ${stack.prometheusUrl} has no test rules folder in rule_files (${layout.ruleFiles.join(', ')}) or no file_sd job "stylestream": ` +
          'it was started before the stack added them; restart it with `npm run stack -- down && npm run stack -- up`',
      );
    }

    work = mkdtempSync(join(tmpdir(), 'vectors-stopped-'));
    const image = join(work, 'look.png');
    await sharp({ create: { width: 96, height: 128, channels: 3, background: { r: 180, g: 60, b: 90 } } }).png().toFile(image);
    await createTopics([topics.imageArrived, `${topics.imageArrived}.dlq`, topics.vectorExtracted], 2);
    await admin.connect();
    await producer.connect();

    // Images keep arriving for the whole test: one every 400 ms.
    const contract = imageArrivedContract.onTopic(topics.imageArrived);
    let sending = false;
    arrivals = setInterval(() => {
      if (sending) return;
      sending = true;
      const imageId = `${run}-img-${sent}`;
      producer
        .send(contract, imageId, sampleImageArrived({ imageId, uri: pathToFileURL(image).href, crawledAt: Date.now() }))
        .then(() => void sent++)
        .catch((err: unknown) => void (sendFailure = err))
        .finally(() => void (sending = false));
    }, 400);

    const lagPort = await freePort();
    const lagTarget = join(targetsDir, `${run}-lag-monitor.json`);
    lagMonitor = new DemoAppProcess({
      name: 'lag-monitor',
      entry: dist('apps', 'lag-monitor', 'src', 'main.js'),
      port: lagPort,
      logFile: join(work, 'lag-monitor.log'),
      removeOnExit: [lagTarget],
      env: {
        KAFKA_BROKERS: stack.brokers.join(','),
        LAG_MONITOR_POLL_INTERVAL_MS: '1000',
        LAG_MONITOR_GROUPS: group,
        LAG_MONITOR_WATCH_TOPICS: `${topics.imageArrived},${topics.vectorExtracted}`,
        LAG_MONITOR_TARGET_FILE: lagTarget,
      },
    });
    await lagMonitor.start();

    const extractorTarget = join(targetsDir, `${run}-extractor.json`);
    extractorLaunch = {
      name: 'extractor',
      entry: dist('apps', 'extractor', 'src', 'main.js'),
      readyLog: 'stage consumer started',
      logFile: join(work, 'extractor.log'),
      deadlineMs: 120_000,
      removeOnExit: [extractorTarget],
      env: {
        KAFKA_BROKERS: stack.brokers.join(','),
        SCHEMA_REGISTRY_URL: stack.registryUrl,
        KAFKA_GROUP_ID: group,
        KAFKA_RETRY_PROFILE: 'test',
        KAFKA_MAX_WAIT_MS: '100',
        MODEL_DIR: join(ROOT, 'models'),
        MODEL_ID,
        MODEL_INTRA_OP_THREADS: '1',
        EXTRACTOR_TOPIC_IMAGE_ARRIVED: topics.imageArrived,
        EXTRACTOR_TOPIC_VECTOR_EXTRACTED: topics.vectorExtracted,
        // Its own /metrics is scraped too (it writes and removes its target file); the alert does not depend on it.
        EXTRACTOR_HTTP_PORT: '0',
        EXTRACTOR_TARGET_FILE: extractorTarget,
      },
    };
    extractor = await startExtractor();
    const before = await vectorsEnd();
    await waitFor(async () => (await vectorsEnd()) > before, { timeoutMs: 60_000, intervalMs: 500, what: 'the extractor to produce vectors' });
    ruleFile = join(rulesDir, `${run}.yml`);
    writeFileSync(
      ruleFile,
      shortenedAlertRule(readFileSync(join(ROOT, 'alerts', 'pipeline.yml'), 'utf8'), {
        alert: 'VectorsStoppedArriving',
        group: run,
        interval: '5s',
        range: '45s',
        for: '15s',
        matchers: [
          ['topic=~"vector-extracted|vector-cleaned"', `topic="${topics.vectorExtracted}"`],
          ['topic="image-arrived"', `topic="${topics.imageArrived}"`],
        ],
        labels: { test_run: run },
      }),
    );
    await prometheus.reload();
    await waitFor(async () => (await prometheus.ruleGroupNames()).includes(run), { timeoutMs: 30_000, intervalMs: 500, what: `rule group ${run} loaded` });
  });

  afterAll(async () => {
    if (arrivals !== undefined) clearInterval(arrivals);
    await extractor?.stop();
    await lagMonitor?.stop();
    if (ruleFile !== undefined) {
      rmSync(ruleFile, { force: true });
      await prometheus.reload().catch(() => undefined);
    }
    await producer.disconnect();
    await admin.disconnect();
    if (work !== undefined) rmSync(work, { recursive: true, force: true });
  });

  it('stays silent while vectors flow, fires once the extractor stops, resolves once it is back', async () => {
    // Prometheus sees both topics growing (the lag monitor is scraped) and the alert is not active.
    const growing = (topic: string) => `increase(stylestream_topic_end_offset{topic="${topic}"}[45s]) > 0`;
    await waitFor(async () => (await prometheus.query(growing(topics.vectorExtracted))).length > 0 && (await prometheus.query(growing(topics.imageArrived))).length > 0, {
      timeoutMs: 90_000,
      intervalMs: 1_000,
      what: 'Prometheus to see image-arrived and vector-extracted growing',
    });
    expect(await ourAlert()).toBeUndefined();

    const stoppedAt = Date.now();
    await extractor?.stop();
    extractor = undefined;
    const firing = await waitFor(
      async () => {
        const alert = await ourAlert();
        return alert?.state === 'firing' ? alert : undefined;
      },
      { timeoutMs: 150_000, intervalMs: 1_000, what: 'VectorsStoppedArriving to fire' },
    );
    const firedAfterS = (Date.now() - stoppedAt) / 1000;
    expect(firing.labels).toMatchObject({ topic: topics.vectorExtracted, severity: 'critical' });
    expect(firing.annotations.runbook_url).toBe('docs/runbooks/VectorsStoppedArriving.md');
    expect(sendFailure).toBeUndefined();

    const restartedAt = Date.now();
    extractor = await startExtractor();
    await waitFor(async () => (await ourAlert()) === undefined, { timeoutMs: 120_000, intervalMs: 1_000, what: 'VectorsStoppedArriving to resolve' });
    const resolvedAfterS = (Date.now() - restartedAt) / 1000;
    expect(await prometheus.query(growing(topics.vectorExtracted))).not.toHaveLength(0);
    process.stdout.write(`VectorsStoppedArriving (test windows): fired ${firedAfterS.toFixed(0)} s after the extractor stopped, resolved ${resolvedAfterS.toFixed(0)} s after it restarted; ${sent} images sent\n`);
  });
});
