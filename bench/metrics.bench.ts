import { performance } from 'node:perf_hooks';
import { collectProcessMetrics, metricsRegistry, pipelineMetrics } from '@stylestream/metrics';
import { type VectorCleaned, type VectorExtracted, bytesToVector, sampleVectorCleaned, sampleVectorExtracted, vectorCleanedContract, vectorExtractedContract, vectorToBytes } from '@stylestream/schemas';
import { seededRandom } from '@stylestream/test-support';

/**
 * `npm run bench -- metrics [--quick]`: the cost of libs/metrics on a stage's
 * hot path, in one process, no services.
 *
 * The stage loop is the cheapest real per-message work of the chain (a
 * dedupe-like step): Avro-decode a vector-extracted record (1280 floats),
 * read the vector and its norm, Avro-encode a vector-cleaned record. The
 * metrics variant adds exactly what libs/kafka records: per message a handler
 * timer (`stylestream_handler_duration_seconds`) and a consumed counter, per
 * batch of 100 a batch-size observation and a produced counter; `per_batch`
 * records the same series once per batch (timer around the batch, one counter
 * add), as libs/kafka's batch routes do. Variants run
 * interleaved, `rounds` times each, and the median is reported, so machine
 * noise hits both alike. Also: the calls alone (ns per message) and one
 * scrape (rendering /metrics with process metrics and 4 topics' series).
 * Last line: {"bench":"metrics","overhead_pct":..,...}.
 */
export async function run(args: string[]): Promise<void> {
  const quick = args.includes('--quick');
  const messages = quick ? 10_000 : 50_000;
  const rounds = quick ? 5 : 9;
  const batch = 100;
  const dim = 1280;
  collectProcessMetrics('bench');

  const inType = vectorExtractedContract.type;
  const outType = vectorCleanedContract.type;
  const random = seededRandom(7);
  const inputs = Array.from({ length: 64 }, (_, i) =>
    inType.toBuffer(sampleVectorExtracted({ imageId: `img-${i}`, dim, vector: vectorToBytes(Array.from({ length: dim }, () => random() - 0.5)) })),
  );
  const cleanedBase = sampleVectorCleaned({ status: 'UNIQUE', duplicateOf: null, similarity: null });
  const topic = 'vector-extracted';
  const outTopic = 'vector-cleaned';
  let sink = 0;

  const stage = (bytes: Buffer): void => {
    const event = inType.fromBuffer(bytes) as VectorExtracted;
    const vector = bytesToVector(event.vector);
    let norm = 0;
    for (let i = 0; i < vector.length; i++) norm += vector[i] * vector[i];
    const cleaned: VectorCleaned = { ...cleanedBase, ...event, status: 'UNIQUE', duplicateOf: null, similarity: Math.sqrt(norm) > 0 ? 1 : 0, cleanedAt: 1_760_000_000_000 };
    sink += outType.toBuffer(cleaned).length;
  };

  const variants: Record<'none' | 'metrics' | 'per_batch' | 'calls_only', () => void> = {
    none: () => {
      for (let start = 0; start < messages; start += batch) {
        for (let i = start; i < start + batch; i++) stage(inputs[i % inputs.length]);
      }
    },
    metrics: () => {
      for (let start = 0; start < messages; start += batch) {
        pipelineMetrics.batchSize.observe({ topic }, batch);
        for (let i = start; i < start + batch; i++) {
          const stopTimer = pipelineMetrics.handlerDuration.startTimer({ topic });
          stage(inputs[i % inputs.length]);
          stopTimer();
          pipelineMetrics.consumed.inc({ topic, outcome: 'processed' });
        }
        pipelineMetrics.produced.inc({ topic: outTopic }, batch);
      }
    },
    // The same series recorded once per batch (what a batch route does): one timer, one counter add.
    per_batch: () => {
      for (let start = 0; start < messages; start += batch) {
        pipelineMetrics.batchSize.observe({ topic }, batch);
        const stopTimer = pipelineMetrics.handlerDuration.startTimer({ topic });
        for (let i = start; i < start + batch; i++) stage(inputs[i % inputs.length]);
        stopTimer();
        pipelineMetrics.consumed.inc({ topic, outcome: 'processed' }, batch);
        pipelineMetrics.produced.inc({ topic: outTopic }, batch);
      }
    },
    calls_only: () => {
      for (let start = 0; start < messages; start += batch) {
        pipelineMetrics.batchSize.observe({ topic }, batch);
        for (let i = start; i < start + batch; i++) {
          const stopTimer = pipelineMetrics.handlerDuration.startTimer({ topic });
          stopTimer();
          pipelineMetrics.consumed.inc({ topic, outcome: 'processed' });
        }
        pipelineMetrics.produced.inc({ topic: outTopic }, batch);
      }
    },
  };

  // Warm-up (JIT, label maps), then interleaved timed rounds.
  for (const variant of Object.values(variants)) variant();
  // CPU time of this process (user + system) per message: on a shared machine wall time
  // mostly measures the other processes; wall time is reported beside it.
  const samples = { none: [] as number[], metrics: [] as number[], per_batch: [] as number[], calls_only: [] as number[] };
  const wall = { none: [] as number[], metrics: [] as number[], per_batch: [] as number[], calls_only: [] as number[] };
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 === 0 ? (['none', 'metrics', 'per_batch', 'calls_only'] as const) : (['per_batch', 'metrics', 'none', 'calls_only'] as const);
    for (const name of order) {
      const cpu = process.cpuUsage();
      const t = performance.now();
      variants[name]();
      const used = process.cpuUsage(cpu);
      samples[name].push(((used.user + used.system) * 1e3) / messages);
      wall[name].push(((performance.now() - t) * 1e6) / messages);
    }
  }
  const none = median(samples.none);
  const metrics = median(samples.metrics);
  const callsOnly = median(samples.calls_only);
  const overheadPct = ((metrics - none) / none) * 100;
  const perBatchPct = ((median(samples.per_batch) - none) / none) * 100;
  const wallOverheadPct = ((median(wall.metrics) - median(wall.none)) / median(wall.none)) * 100;

  // A scrape: the series of 4 topics (each stage consumes one, produces one) plus process metrics.
  for (const t of ['image-arrived', 'vector-extracted', 'vector-cleaned', 'index-updated']) {
    pipelineMetrics.handlerDuration.observe({ topic: t }, 0.01);
    pipelineMetrics.batchSize.observe({ topic: t }, 10);
    pipelineMetrics.consumed.inc({ topic: t, outcome: 'processed' });
    pipelineMetrics.produced.inc({ topic: t });
  }
  const scrapes: number[] = [];
  let body = '';
  for (let i = 0; i < 50; i++) {
    const t = performance.now();
    body = await metricsRegistry.metrics();
    scrapes.push(performance.now() - t);
  }
  const scrapeMs = median(scrapes);

  process.stderr.write(`stage loop, ${messages} messages × ${rounds} rounds (median CPU ns/message):\n`);
  process.stderr.write(`  no metrics      ${none.toFixed(0)} ns\n`);
  process.stderr.write(`  with metrics    ${metrics.toFixed(0)} ns  (${overheadPct >= 0 ? '+' : ''}${overheadPct.toFixed(2)}%)\n`);
  process.stderr.write(`  per-batch metrics ${median(samples.per_batch).toFixed(0)} ns  (${perBatchPct >= 0 ? '+' : ''}${perBatchPct.toFixed(2)}%)\n`);
  process.stderr.write(`  metric calls alone ${callsOnly.toFixed(0)} ns/message\n`);
  process.stderr.write(`  (wall clock: ${median(wall.none).toFixed(0)} vs ${median(wall.metrics).toFixed(0)} ns/message, ${wallOverheadPct.toFixed(2)}%)\n`);
  process.stderr.write(`scrape: ${scrapeMs.toFixed(2)} ms to render ${body.length} bytes (${body.split('\n').filter((l) => l !== '' && !l.startsWith('#')).length} samples); at one scrape per 15 s that is ${((scrapeMs / 15_000) * 100).toFixed(3)}% of one core\n`);
  process.stdout.write(
    `${JSON.stringify({
      bench: 'metrics',
      quick,
      messages,
      rounds,
      stage_ns_per_msg: Math.round(none),
      stage_with_metrics_ns_per_msg: Math.round(metrics),
      overhead_pct: Number(overheadPct.toFixed(2)),
      wall_overhead_pct: Number(wallOverheadPct.toFixed(2)),
      per_batch_overhead_pct: Number(perBatchPct.toFixed(2)),
      metric_calls_ns_per_msg: Math.round(callsOnly),
      scrape_ms: Number(scrapeMs.toFixed(2)),
      checksum: sink % 1_000_003,
    })}\n`,
  );
}

function median(xs: readonly number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

