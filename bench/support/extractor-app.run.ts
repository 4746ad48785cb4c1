import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import { Kafka, logLevel } from 'kafkajs';
import { AvroProducer } from '@stylestream/kafka';
import { SchemaRegistryGateway, imageArrivedContract, sampleImageArrived } from '@stylestream/schemas';
import { createTopics, stack, uniqueName, waitFor } from '@stylestream/test-support';
import { seriesValue } from '../../apps/extractor/src/testing/extractor-it.fixture';
import type { StageSeconds } from './extractor-images';
import { processCpuSeconds } from './process-cpu';

export interface AppRunOptions {
  /** dist/apps/extractor/src/main.js */
  readonly mainJs: string;
  readonly modelsDir: string;
  readonly photos: readonly string[];
  readonly batchSize: number;
  readonly metricsEnabled: boolean;
  readonly partitions: number;
  readonly intraOpThreads: number;
  /** MODEL_EXECUTION_PROVIDERS of the app (csv, e.g. `cuda,cpu`). */
  readonly executionProviders: string;
  readonly prepareConcurrency: number;
  /** Images extracted before the clock starts (model and group warm-up). */
  readonly warmup: number;
  /** How often /metrics is scraped during the timed part when metrics are on (Prometheus does it every 15 s by default). */
  readonly scrapeEveryMs: number;
}

export interface AppRunResult {
  /** Images/s from the first produce of the timed set until its last vector-extracted record was read. */
  readonly ips: number;
  readonly seconds: number;
  /** Summed stage times of the timed set, from the app's /metrics; undefined with metrics off. */
  readonly stages: StageSeconds | undefined;
  readonly meanModelBatch: number | undefined;
  readonly rssMb: number;
  readonly peakRssMb: number;
  /** CPU seconds the extractor process (all its threads) used per image of the timed set. */
  readonly cpuPerImage: number;
  /** Scrapes of /metrics during the timed set and their mean round trip (ms); 0 with metrics off. */
  readonly scrapes: number;
  readonly scrapeMeanMs: number;
}

/**
 * One end-to-end run of the extractor as its own process (`node main.js`, env config),
 * against fresh unique topics: warm-up images first, then `photos.length` image-arrived
 * events with file:// URIs, timed until every vector-extracted record is out.
 */
export async function runExtractorApp(o: AppRunOptions): Promise<AppRunResult> {
  const ia = uniqueName('bench-ex-ia');
  const ve = uniqueName('bench-ex-ve');
  await createTopicsRetrying([ia, `${ia}.dlq`, ve], o.partitions);
  const kafka = new Kafka({ brokers: stack.brokers, clientId: 'bench-extractor', logLevel: logLevel.NOTHING });
  const producer = new AvroProducer(kafka, SchemaRegistryGateway.connect({ url: stack.registryUrl }), { retries: 5 });
  const reader = kafka.consumer({ groupId: uniqueName('bench-ex-reader'), maxWaitTimeInMs: 20 });
  const seen = new Set<string>();
  const arrived = new Map<string, number>();
  let child: ChildProcess | undefined;
  try {
    await producer.connect();
    await reader.connect();
    await reader.subscribe({ topics: [ve], fromBeginning: true });
    // Keys are `<prefix>-<i>`: count the distinct ones per prefix as they arrive, so waiting for a
    // set is one map read (polled every 5 ms, it must not take CPU from the app it measures).
    const countNew = (key: string) => {
      if (seen.has(key)) return;
      seen.add(key);
      const prefix = key.slice(0, key.lastIndexOf('-'));
      arrived.set(prefix, (arrived.get(prefix) ?? 0) + 1);
    };
    await reader.run({ eachBatch: ({ batch }) => Promise.resolve(batch.messages.forEach((m) => countNew(m.key?.toString() ?? ''))) });
    const started = await startApp(o, ia, ve);
    child = started.child;
    const contract = imageArrivedContract.onTopic(ia);
    const send = async (prefix: string, paths: readonly string[]) => {
      for (let start = 0; start < paths.length; start += 500) {
        await producer.sendBatch(
          contract,
          paths.slice(start, start + 500).map((p, k) => ({ key: `${prefix}-${start + k}`, value: sampleImageArrived({ imageId: `${prefix}-${start + k}`, uri: pathToFileURL(p).href }) })),
        );
      }
    };
    const all = (prefix: string, n: number) => () => (arrived.get(prefix) ?? 0) >= n;
    await send('warm', o.photos.slice(0, o.warmup));
    await waitFor(all('warm', o.warmup), { timeoutMs: 120_000, intervalMs: 20, what: 'warm-up vectors' });

    const scrape = async () => (o.metricsEnabled ? (await fetch(`${started.url}/metrics`)).text() : '');
    const before = await scrape();
    let scraping = Promise.resolve();
    let scrapeError: unknown;
    const scrapeTimes: number[] = [];
    const timedScrape = async () => {
      const t = performance.now();
      await scrape();
      scrapeTimes.push(performance.now() - t);
    };
    const scrapeOnce = () => scraping.then(timedScrape).catch((err: unknown) => void (scrapeError ??= err));
    const scraper = o.metricsEnabled ? setInterval(() => void (scraping = scrapeOnce()), o.scrapeEveryMs) : undefined;
    const pid = child.pid ?? NaN;
    const cpu0 = processCpuSeconds(pid);
    const t0 = performance.now();
    await send('img', o.photos);
    await waitFor(all('img', o.photos.length), { timeoutMs: 600_000, intervalMs: 5, what: `${o.photos.length} vectors` });
    const seconds = (performance.now() - t0) / 1000;
    const cpuSeconds = processCpuSeconds(pid) - cpu0;
    clearInterval(scraper);
    await scraping;
    if (scrapeError !== undefined) throw new Error('scraping /metrics failed during the run', { cause: scrapeError });
    const after = await scrape();
    const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? NaN);
    const delta = (name: string, labels: Record<string, string>) => seriesValue(after, name, labels) - seriesValue(before, name, labels);
    const stage = (s: string) => delta('stylestream_extractor_stage_duration_seconds_sum', { stage: s });
    return {
      ips: o.photos.length / seconds,
      seconds,
      stages: o.metricsEnabled ? { fetch: stage('fetch'), decode: stage('decode'), inference: stage('inference'), publish: stage('publish') } : undefined,
      meanModelBatch: o.metricsEnabled
        ? delta('stylestream_extractor_inference_batch_size_images_sum', {}) / delta('stylestream_extractor_inference_batch_size_images_count', {})
        : undefined,
      rssMb: kb('VmRSS') / 1024,
      peakRssMb: kb('VmHWM') / 1024,
      cpuPerImage: cpuSeconds / o.photos.length,
      scrapes: scrapeTimes.length,
      scrapeMeanMs: scrapeTimes.length === 0 ? 0 : scrapeTimes.reduce((a, b) => a + b, 0) / scrapeTimes.length,
    };
  } finally {
    if (child !== undefined) await stopChild(child);
    await reader.disconnect();
    await producer.disconnect();
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [ia, `${ia}.dlq`, ve] }).catch((err: unknown) => process.stderr.write(`could not delete bench topics: ${String(err)}\n`));
    await admin.disconnect();
  }
}

/** Spawns the app and resolves with its ops URL once it logs that it runs (model loaded, consumer started). */
async function startApp(o: AppRunOptions, ia: string, ve: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [o.mainJs], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      LOG_LEVEL: 'info',
      KAFKA_BROKERS: stack.brokers.join(','),
      SCHEMA_REGISTRY_URL: stack.registryUrl,
      KAFKA_GROUP_ID: uniqueName('bench-ex'),
      KAFKA_MAX_WAIT_MS: '20',
      KAFKA_PARTITIONS_CONCURRENCY: String(o.partitions),
      KAFKAJS_NO_PARTITIONER_WARNING: '1',
      MODEL_DIR: o.modelsDir,
      MODEL_INTRA_OP_THREADS: String(o.intraOpThreads),
      MODEL_EXECUTION_PROVIDERS: o.executionProviders,
      EXTRACTOR_MAX_BATCH_SIZE: String(o.batchSize),
      EXTRACTOR_PREPARE_CONCURRENCY: String(o.prepareConcurrency),
      EXTRACTOR_HTTP_PORT: '0',
      METRICS_ENABLED: String(o.metricsEnabled),
      EXTRACTOR_TOPIC_IMAGE_ARRIVED: ia,
      EXTRACTOR_TOPIC_VECTOR_EXTRACTED: ve,
    },
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => void (stderr = (stderr + chunk.toString()).slice(-4000)));
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    lines.on('line', (line) => {
      let entry: { msg?: string; url?: string; level?: number } = {};
      try {
        entry = JSON.parse(line) as typeof entry;
      } catch {
        return; // not a log line
      }
      if (entry.msg === 'extractor running' && entry.url !== undefined) resolve({ child, url: entry.url });
      else if ((entry.level ?? 0) >= 50) process.stderr.write(`extractor: ${line}\n`);
    });
    child.once('exit', (code) => reject(new Error(`extractor exited with ${code} before running: ${stderr}`)));
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}

/** A busy broker sometimes answers a fresh topic's metadata with UNKNOWN_TOPIC_OR_PARTITION while its leader is elected: try again (creating an existing topic is a no-op). */
async function createTopicsRetrying(topics: string[], partitions: number): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await createTopics(topics, partitions);
      return;
    } catch (err) {
      if (attempt >= 4) throw err;
      process.stderr.write(`creating bench topics failed (attempt ${attempt}), retrying: ${err instanceof Error ? err.message : String(err)}\n`);
      await new Promise((resolve) => setTimeout(resolve, 1_000 * attempt));
    }
  }
}
