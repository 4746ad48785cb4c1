import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import pino from 'pino';
import { DEFAULT_MODEL_ID, buildDefaultModel, loadModel, modelRuntimeEnvSchema } from '@stylestream/model';
import { type StageSeconds, bareLoop, bareModel, benchPhotos, preprocess } from './support/extractor-images';
import { type AppRunResult, runExtractorApp } from './support/extractor-app.run';
import { callCostNsPerItem, extractorCallSequence } from './support/metric-call-cost';
import { median, metricsCost } from './support/process-cpu';

/**
 * `npm run bench -- extractor [--quick]` over real photos of ../shared/data/clothing-small/train:
 * 1. bare model: `session.run` on preprocessed batches of 1, 8, 32 (the model's ceiling);
 * 2. bare loop: read + decode + preprocess + session.run per batch, no Kafka (the pipeline's ceiling);
 * 3. the app end to end from Kafka, one child process per run (`node dist/apps/extractor/src/main.js`):
 *    image-arrived events with file:// URIs into fresh topics, timed until every
 *    vector-extracted record is out, at EXTRACTOR_MAX_BATCH_SIZE 1, 8, 32, metrics on;
 * 4. metrics cost: at the best batch size, the app with METRICS_ENABLED=false and on, alternated
 *    (CPU per image of the app process from /proc, and throughput); then the cost isolated (the
 *    headline): the app's metric calls per image replayed and timed in CPU, plus the measured
 *    scrapes, as a share of the app's CPU per image with metrics off.
 * Last line: {"bench":"extractor","app_ips":..,"bare_loop_ips":..,"bare_model_ips":..,"ratio":..,"rss_mb":..,"metrics_overhead_pct":..}.
 *
 * Options for a machine without the local stack (a GPU host, say): `--providers cuda,cpu` opens
 * the model on those execution providers (the line names the ones actually in use: a CUDA
 * provider that cannot load falls back to CPU with one warning); `--baselines-only` runs 1 and 2
 * only (no Kafka); `--batches 1,8,32,128` picks the batch sizes; `--photos DIR` reads the photos
 * from DIR instead of ../shared/data/clothing-small/train; `--threads N` sets the intra-op threads; `--images N` the number of photos; `--concurrency N` how many decode at once (default 4);
 * `--batch-shapes 1,8,32|none` the shapes the model pads batches to (default: the provider's, see ModelRuntimeOptions).
 */
export async function run(args: string[]): Promise<void> {
  const quick = args.includes('--quick');
  const baselinesOnly = args.includes('--baselines-only');
  const flag = (name: string): string | undefined => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? args[i + 1] : undefined;
  };
  // The same parsing as the apps' MODEL_EXECUTION_PROVIDERS and MODEL_BATCH_SHAPES.
  const runtimeFlags = modelRuntimeEnvSchema.pick({ MODEL_EXECUTION_PROVIDERS: true, MODEL_BATCH_SHAPES: true }).parse({ MODEL_EXECUTION_PROVIDERS: flag('providers') ?? 'cpu', MODEL_BATCH_SHAPES: flag('batch-shapes') });
  const providers = runtimeFlags.MODEL_EXECUTION_PROVIDERS;
  const concurrency = Number(flag('concurrency') ?? 4);
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new Error(`--concurrency: expected a positive integer, got "${flag('concurrency')}"`);
  // Same libuv pool as the app (main.ts: EXTRACTOR_PREPARE_CONCURRENCY + 4), before the pool's first use.
  process.env.UV_THREADPOOL_SIZE ??= String(concurrency + 4);

  const root = resolve(__dirname, '../..');
  const modelsDir = join(root, 'models');
  const photosDir = resolve(flag('photos') ?? resolve(root, '../shared/data/clothing-small/train'));
  const sizes = quick ? { images: 48, modelImages: 32, warmup: 8, overheadPairs: 2 } : { images: 384, modelImages: 128, warmup: 16, overheadPairs: 3 };
  if (flag('images') !== undefined) sizes.images = Number(flag('images'));
  const batchSizes = parseBatches(flag('batches') ?? '1,8,32');
  const threads = Number(flag('threads') ?? Math.max(1, cpus().length));
  const partitions = 4;
  process.env.KAFKAJS_NO_PARTITIONER_WARNING ??= '1';
  const benchStart = performance.now();
  const log = (line: string) => process.stderr.write(`[${((performance.now() - benchStart) / 1000).toFixed(0).padStart(3)} s] ${line}\n`);
  log(`extractor bench: ${sizes.images} photos, ${threads} intra-op threads, decode concurrency ${concurrency}, ${partitions} partitions, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);

  buildDefaultModel(modelsDir);
  const photos = benchPhotos(photosDir, sizes.images);
  const batchShapes = runtimeFlags.MODEL_BATCH_SHAPES;
  const embedder = await loadModel(
    { modelsDir, modelId: DEFAULT_MODEL_ID, executionProviders: providers, intraOpThreads: threads, interOpThreads: 1, spinWait: true, batchShapes },
    pino({ level: 'warn' }),
  );
  const inUse = embedder.executionProviders;
  const embedderShapes = [...embedder.batchShapes];
  log(`model ${embedder.manifest.id} on ${inUse.join(', ')} (asked for ${providers.join(', ')}), batch shapes ${embedderShapes.length > 0 ? embedderShapes.join(',') : 'as they come'}`);
  const bareModelIps = new Map<number, number>();
  const loops = new Map<number, { ips: number; stages: StageSeconds }>();
  try {
    // At least four batches of the largest size, so one batch does not decide the figure.
    const modelImages = Math.min(photos.length, Math.max(sizes.modelImages, 4 * Math.max(...batchSizes)));
    const preprocessed = await preprocess(embedder, photos.slice(0, modelImages), concurrency);
    for (const b of batchSizes) {
      bareModelIps.set(b, await bareModel(embedder, preprocessed, modelImages, b));
      log(`bare model    batch ${String(b).padStart(2)}: ${fmt(bareModelIps.get(b))} images/s`);
    }
    for (const b of batchSizes) {
      const loop = await bareLoop(embedder, photos, b, concurrency);
      loops.set(b, loop);
      log(`bare loop     batch ${String(b).padStart(2)}: ${fmt(loop.ips)} images/s  ${perImage(loop.stages, photos.length)}`);
    }
  } finally {
    await embedder.release();
  }
  if (baselinesOnly) {
    const bestModel = [...bareModelIps.entries()].reduce((a, b) => (b[1] > a[1] ? b : a));
    const bestLoop = [...loops.entries()].reduce((a, b) => (b[1].ips > a[1].ips ? b : a));
    const result = {
      bench: 'extractor',
      baselines_only: true,
      quick,
      providers: inUse,
      images: photos.length,
      best_model_batch: bestModel[0],
      bare_model_ips: round(bestModel[1]),
      best_loop_batch: bestLoop[0],
      bare_loop_ips: round(bestLoop[1].ips),
      by_batch: Object.fromEntries(batchSizes.map((b) => [b, { bare_loop_ips: round(loops.get(b)?.ips ?? NaN), bare_model_ips: round(bareModelIps.get(b) ?? NaN) }])),
      intra_op_threads: threads,
      decode_concurrency: concurrency,
      batch_shapes: embedderShapes,
      cpus: cpus().length,
      load_avg_1m: round(loadavg()[0], 2),
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return;
  }

  const scrapeEveryMs = 1_000;
  const app = (batchSize: number, metricsEnabled: boolean): Promise<AppRunResult> =>
    runExtractorApp({
      mainJs: join(__dirname, '../apps/extractor/src/main.js'),
      modelsDir,
      photos,
      batchSize,
      metricsEnabled,
      partitions,
      intraOpThreads: threads,
      executionProviders: providers.join(','),
      prepareConcurrency: concurrency,
      warmup: sizes.warmup,
      scrapeEveryMs,
    });
  const apps = new Map<number, AppRunResult>();
  for (const b of batchSizes) {
    const r = await app(b, true);
    apps.set(b, r);
    const loopIps = loops.get(b)?.ips ?? NaN;
    log(`app (Kafka)   batch ${String(b).padStart(2)}: ${fmt(r.ips)} images/s  ${r.stages ? perImage(r.stages, photos.length) : ''}  mean model batch ${fmt(r.meanModelBatch, 1)}  rss ${fmt(r.peakRssMb)} MB  ratio to bare loop ${fmt(r.ips / loopIps, 2)}`);
  }
  const best = [...apps.entries()].reduce((a, b) => (b[1].ips > a[1].ips ? b : a));
  const [bestBatch, bestRun] = best;

  // Metrics on vs off at the best batch size, alternated so drifting machine load hits both alike.
  // Throughput moves by several % between identical runs here, so the cost is read from the CPU
  // the extractor process spends per image (all threads), beside the throughput.
  const on: AppRunResult[] = [bestRun];
  const off: AppRunResult[] = [];
  // The order flips every pair, so a drift in machine load does not favour one side.
  for (let pair = 0; pair < sizes.overheadPairs; pair++) {
    for (const enabled of pair % 2 === 0 ? [false, true] : [true, false]) (enabled ? on : off).push(await app(bestBatch, enabled));
  }
  const asCost = (r: AppRunResult) => ({ perSecond: r.ips, cpuPerItem: r.cpuPerImage });
  const cost = metricsCost(on.map(asCost), off.map(asCost));
  const list = (rs: AppRunResult[], f: (r: AppRunResult) => string) => rs.map(f).join(', ');
  log(`metrics at batch ${bestBatch}, on: ${list(on, (r) => `${fmt(r.ips)} img/s ${fmt(r.cpuPerImage * 1000, 1)} CPU-ms/img`)}`);
  log(`metrics at batch ${bestBatch}, off: ${list(off, (r) => `${fmt(r.ips)} img/s ${fmt(r.cpuPerImage * 1000, 1)} CPU-ms/img`)}`);
  log(`whole runs, metrics on vs off (medians): ${fmt(cost.cpuPct, 2)} % CPU per image, ${fmt(cost.throughputPct, 1)} % throughput — run-to-run noise here is larger than the effect`);
  // The cost isolated: the metric calls the app makes per image, replayed and timed in CPU, plus
  // the scrapes (the bench scrapes every second; Prometheus's default is every 15 s).
  const callNs = callCostNsPerItem(extractorCallSequence(), bestBatch);
  const cpuPerImageOff = median(off.map((r) => r.cpuPerImage));
  const onRuns = on.filter((r) => r.scrapes > 0);
  const scrapeMs = median(onRuns.map((r) => r.scrapeMeanMs));
  const scrapeCpuPerImage = (scrapeMs / 1000) * (1000 / scrapeEveryMs) / median(on.map((r) => r.ips));
  const callsPct = ((callNs / 1e9) / cpuPerImageOff) * 100;
  const scrapePct = (scrapeCpuPerImage / cpuPerImageOff) * 100;
  log(
    `metrics cost isolated: calls ${fmt(callNs / 1000, 2)} µs/image = ${fmt(callsPct, 4)} % of ${fmt(cpuPerImageOff * 1000, 1)} CPU-ms/image; ` +
      `scrape ${fmt(scrapeMs, 1)} ms each, every ${scrapeEveryMs / 1000} s = ${fmt(scrapePct, 3)} % (${fmt(scrapePct / 15, 4)} % at 15 s); total ${fmt(callsPct + scrapePct, 3)} %`,
  );

  const loopIps = loops.get(bestBatch)?.ips ?? NaN;
  const bestLoop = Math.max(...[...loops.values()].map((l) => l.ips));
  const result = {
    bench: 'extractor',
    quick,
    images: photos.length,
    best_batch: bestBatch,
    app_ips: round(bestRun.ips),
    bare_loop_ips: round(loopIps),
    bare_model_ips: round(bareModelIps.get(bestBatch) ?? NaN),
    ratio: round(bestRun.ips / loopIps, 3),
    ratio_vs_best_loop: round(bestRun.ips / bestLoop, 3),
    rss_mb: round(bestRun.peakRssMb),
    metrics_overhead_pct: round(callsPct + scrapePct, 3),
    metrics_call_us_per_image: round(callNs / 1000, 2),
    metrics_scrape_ms: round(scrapeMs, 2),
    metrics_onoff_cpu_pct: round(cost.cpuPct, 2),
    metrics_onoff_throughput_pct: round(cost.throughputPct, 2),
    metrics_runs: { on: on.length, off: off.length },
    by_batch: Object.fromEntries(
      batchSizes.map((b) => [b, { app_ips: round(apps.get(b)?.ips ?? NaN), bare_loop_ips: round(loops.get(b)?.ips ?? NaN), bare_model_ips: round(bareModelIps.get(b) ?? NaN) }]),
    ),
    providers: inUse,
    intra_op_threads: threads,
    load_avg_1m: round(loadavg()[0], 2),
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

function parseBatches(list: string): number[] {
  const out = list.split(',').map(Number);
  if (out.length === 0 || out.some((b) => !Number.isInteger(b) || b < 1)) throw new Error(`--batches: expected positive integers separated by commas, got "${list}"`);
  return out;
}

function perImage(s: StageSeconds, n: number): string {
  const ms = (x: number) => ((x / n) * 1000).toFixed(2);
  return `per image (summed stage time): fetch ${ms(s.fetch)} ms, decode+preprocess ${ms(s.decode)} ms, inference ${ms(s.inference)} ms, publish ${ms(s.publish)} ms`;
}
const fmt = (x: number | undefined, digits = 0) => (x === undefined || Number.isNaN(x) ? '-' : x.toFixed(digits));
const round = (x: number, digits = 1) => Number(x.toFixed(digits));
