import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { HierarchicalNSW } from 'hnswlib-node';
import pino from 'pino';
import { AvroProducer, createKafkaClient, loadKafkaConfig } from '@stylestream/kafka';
import { SchemaRegistryGateway } from '@stylestream/schemas';
import { createTopics, stack, uniqueName, waitFor } from '@stylestream/test-support';
import { DEFAULT_GENERATOR_PARAMS, describeGenerator, exactTopK, generateQueries, generateVectorsParallel, recallAtK } from './support/clustered-vectors';
import { AppProcess, builtApp, fastKafkaEnv, freePort } from './support/index-app-process';
import { produceCleaned, rowId } from './support/index-feed';
import { callCostNsPerItem, indexWriterCallSequence } from './support/metric-call-cost';
import { median, metricsCost, processCpuSeconds } from './support/process-cpu';
import { IndexWriterClient, histogramDelta, histogramQuantile, parseHistogram } from './support/index-writer.client';

/**
 * `npm run bench -- index [--quick]` against the local stack.
 * 1. Generator check: raw hnswlib-node (M=16, efConstruction=200, ef=32) over
 *    the first 100k generated vectors must give recall@10 in [0.80, 0.92]
 *    (PASS/FAIL; --quick measures at its own size and reports INFO).
 * 2. Raw baseline: single-threaded `addPoint` of the first `rawN` vectors,
 *    same parameters (the same build as 1), in this process.
 * 3. App: all `n` vectors produced to a unique vector-cleaned topic (4
 *    partitions) first, then the index-writer app (child process, its
 *    default worker threads) consumes them; insert rate from the count
 *    reported by /v1/shards, RSS per million vectors, snapshot durations.
 * 4. Freshness under steady load: extra vectors at a fixed rate plus probe
 *    records; each probe is polled through /v1/knn until it is returned.
 * 5. Recovery: kill -9 the writer, restart it, time to /readyz and to the
 *    full count (snapshots loaded, the tail re-consumed).
 * 6. Metrics cost: more writers (own groups and data dirs) index the same
 *    first `n` vectors, alternately with METRICS_ENABLED=false and on; the cost
 *    from whole runs is the extra CPU per vector of the writer process (and the rate);
 *    the headline isolates it: the writer's metric calls per vector replayed and timed
 *    in CPU, plus its scrapes, as a share of its CPU per vector with metrics off.
 * Last line: {"bench":"index","app_vps":..,"raw_vps":..,"ratio":..,...}.
 */
export async function run(args: string[]): Promise<void> {
  const quick = args.includes('--quick');
  const preset = quick
    ? { n: 20_000, rawN: 20_000, checkN: 20_000, queries: 200, steadySeconds: 12, probes: 30, metricsPairs: 2 }
    : { n: 1_000_000, rawN: 200_000, checkN: 100_000, queries: 500, steadySeconds: 30, probes: 60, metricsPairs: 2 };
  // --n=<vectors through the app>, --raw=<vectors of the raw baseline> and --metrics-pairs=<off/on pairs> override the preset.
  const flag = (name: string, min = 1_000): number | undefined => {
    const value = args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
    return value === undefined ? undefined : Math.max(min, Number(value));
  };
  const n = flag('n') ?? preset.n;
  const rawN = Math.min(n, flag('raw') ?? preset.rawN);
  const sizes = { ...preset, n, rawN, checkN: Math.min(rawN, preset.checkN), metricsPairs: flag('metrics-pairs', 1) ?? preset.metricsPairs };
  const partitions = 4;
  const dim = DEFAULT_GENERATOR_PARAMS.dim;
  const hnsw = { m: 16, efConstruction: 200, efCheck: 32 };
  process.env.KAFKAJS_NO_PARTITIONER_WARNING ??= '1';
  const say = (line: string): void => void process.stderr.write(`${line}\n`);
  const steadyRows = Math.ceil(sizes.steadySeconds * 2_000) + sizes.probes;
  const total = sizes.n + steadyRows;

  say(`index bench (${quick ? 'quick' : 'full'}): n=${sizes.n} raw=${sizes.rawN} dim=${dim} M=${hnsw.m} efConstruction=${hnsw.efConstruction}`);
  say(`generator: ${describeGenerator()}`);
  let t = performance.now();
  const vectors = await generateVectorsParallel({ n: total });
  say(`generated ${total} vectors in ${((performance.now() - t) / 1000).toFixed(1)} s`);

  // 1 + 2: the raw baseline, with the generator check at checkN on the way.
  const rssBeforeRaw = process.memoryUsage().rss;
  const raw = new HierarchicalNSW('ip', dim);
  raw.initIndex(sizes.rawN, hnsw.m, hnsw.efConstruction, 100);
  const row = new Array<number>(dim);
  const addRows = (from: number, to: number): void => {
    for (let i = from; i < to; i++) {
      for (let j = 0; j < dim; j++) row[j] = vectors[i * dim + j];
      raw.addPoint(row, i);
    }
  };
  t = performance.now();
  addRows(0, sizes.checkN);
  const checkMs = performance.now() - t;
  const queries = generateQueries({ n: sizes.queries });
  const truth = await exactTopK(vectors.subarray(0, sizes.checkN * dim), queries, 10, dim);
  raw.setEf(hnsw.efCheck);
  const found: number[][] = [];
  for (let q = 0; q < sizes.queries; q++) found.push(raw.searchKnn(Array.from(queries.subarray(q * dim, (q + 1) * dim)), 10).neighbors);
  const recall = recallAtK(truth, found);
  const inBand = recall >= 0.8 && recall <= 0.92;
  const verdict = sizes.checkN === 100_000 ? (inBand ? 'PASS' : 'FAIL') : 'INFO (defined at 100k; run without --quick)';
  say(`generator check: raw hnswlib M=16 efC=200 ef=32 recall@10 at ${sizes.checkN} = ${recall.toFixed(4)} (target 0.80-0.92): ${verdict}`);
  t = performance.now();
  addRows(sizes.checkN, sizes.rawN);
  const rawMs = checkMs + (performance.now() - t);
  const rawVps = sizes.rawN / (rawMs / 1000);
  // This process's RSS also moves with the generated arrays and GC; the graph's own size follows hnswlib's layout:
  // level 0 per element = vector + 2M links + link count + label; upper levels ~1/M of elements with M links.
  const rawMbPerMillion = ((dim * 4 + 2 * hnsw.m * 4 + 4 + 8 + (hnsw.m * 4 + 4) / hnsw.m) * 1_000_000) / 2 ** 20;
  const rssGrowthMb = (process.memoryUsage().rss - rssBeforeRaw) / 2 ** 20;
  say(`raw addPoint: ${sizes.rawN} vectors in ${(rawMs / 1000).toFixed(1)} s = ${rawVps.toFixed(0)} vectors/s (one thread); hnswlib layout ${rawMbPerMillion.toFixed(0)} MB per million (this process's RSS moved ${rssGrowthMb.toFixed(0)} MB)`);

  // 3: the app, fed through Kafka.
  const logger = pino({ level: 'warn' });
  const kafka = createKafkaClient(loadKafkaConfig({ KAFKA_BROKERS: stack.brokers.join(','), KAFKA_CLIENT_ID: 'bench-index' }), logger);
  const codec = SchemaRegistryGateway.connect({ url: stack.registryUrl });
  const producer = new AvroProducer(kafka, codec, { retries: 5 });
  const topic = uniqueName('bench-index-vc');
  const updated = uniqueName('bench-index-iu');
  await createTopics([topic, `${topic}.dlq`], partitions);
  await createTopics([updated], 1);
  await producer.connect();
  const dataDir = await fs.mkdtemp(join(tmpdir(), 'bench-index-'));
  const port = await freePort();
  const writer = new AppProcess(
    'index-writer',
    builtApp('index-writer'),
    {
      ...fastKafkaEnv(stack.brokers, stack.registryUrl),
      KAFKA_GROUP_ID: uniqueName('bench-index-g'),
      INDEX_DATA_DIR: dataDir,
      INDEX_DIM: String(dim),
      INDEX_M: String(hnsw.m),
      INDEX_EF_CONSTRUCTION: String(hnsw.efConstruction),
      INDEX_HTTP_PORT: String(port),
      INDEX_TOPIC_VECTOR_CLEANED: topic,
      INDEX_TOPIC_INDEX_UPDATED: updated,
      LOG_LEVEL: 'warn',
    },
    join(dataDir, 'writer.log'),
  );
  const client = new IndexWriterClient(`http://127.0.0.1:${port}`);
  const summary: Record<string, unknown> = {};
  try {
    t = performance.now();
    await produceCleaned(producer, topic, vectors, dim, 0, sizes.n, { batch: 500, inFlight: 4 });
    say(`produced ${sizes.n} vector-cleaned records to ${partitions} partitions in ${((performance.now() - t) / 1000).toFixed(1)} s`);

    writer.start();
    await waitFor(() => client.ready(), { timeoutMs: 120_000, what: 'index-writer ready' });
    const idleRss = writer.rssBytes();
    const marks = new Map<number, number>();
    const tReady = performance.now();
    await waitFor(
      async () => {
        const count = await client.count();
        for (const share of [0.1, 0.9, 1]) if (count >= share * sizes.n && !marks.has(share)) marks.set(share, performance.now());
        return count >= sizes.n;
      },
      { timeoutMs: 3_600_000, intervalMs: 250, what: `${sizes.n} vectors indexed` },
    );
    const t10 = marks.get(0.1) ?? tReady;
    const t90 = marks.get(0.9) ?? performance.now();
    const tAll = marks.get(1) ?? performance.now();
    const appVps = (0.8 * sizes.n) / ((t90 - t10) / 1000);
    const appVpsAll = sizes.n / ((tAll - tReady) / 1000);
    const loadedRss = writer.rssBytes();
    const mbPerMillion = ((loadedRss - idleRss) / 1024 / 1024) * (1_000_000 / sizes.n);
    say(`app: ${sizes.n} vectors indexed ${((tAll - tReady) / 1000).toFixed(1)} s after ready = ${appVpsAll.toFixed(0)} vectors/s overall, ${appVps.toFixed(0)} vectors/s sustained (10%-90%)`);
    say(`app memory: RSS ${(idleRss / 2 ** 20).toFixed(0)} MB idle -> ${(loadedRss / 2 ** 20).toFixed(0)} MB loaded = ${mbPerMillion.toFixed(0)} MB per million vectors (raw hnswlib layout: ${rawMbPerMillion.toFixed(0)} MB)`);
    const ratio = appVps / rawVps;
    say(`ratio app/raw: ${ratio.toFixed(2)} (raw measured over the first ${sizes.rawN} vectors, one thread)`);

    // 4: freshness under steady load.
    const steadyRate = Math.max(20, Math.min(2_000, Math.floor(appVps / 4)));
    const metricsBefore = parseHistogram(await client.metrics(), 'index_freshness_seconds');
    const probeLatencies: number[] = [];
    let probeMisses = 0;
    const steadyEnd = sizes.n + Math.min(steadyRows - sizes.probes, Math.floor(steadyRate * sizes.steadySeconds));
    const probeRows = Array.from({ length: sizes.probes }, (_, i) => steadyEnd + i);
    const probing: Promise<void>[] = [];
    const tSteady = performance.now();
    let next = sizes.n;
    let probeIndex = 0;
    const tick = 100;
    while (next < steadyEnd || probeIndex < probeRows.length) {
      const due = Math.min(steadyEnd, sizes.n + Math.floor(((performance.now() - tSteady) / 1000) * steadyRate));
      if (due > next) {
        await produceCleaned(producer, topic, vectors, dim, next, due, { batch: 200, inFlight: 2 });
        next = due;
      }
      const probeDue = Math.floor(((performance.now() - tSteady) / (sizes.steadySeconds * 1000)) * probeRows.length);
      if (probeIndex < Math.min(probeDue, probeRows.length) || (next >= steadyEnd && probeIndex < probeRows.length)) {
        const r = probeRows[probeIndex++] ?? 0;
        probing.push(
          probe(client, producer, topic, vectors, dim, r).then(
            (ms) => void probeLatencies.push(ms),
            () => void probeMisses++,
          ),
        );
      }
      await new Promise((resolve) => setTimeout(resolve, tick));
    }
    await Promise.all(probing);
    const fresh = histogramDelta(parseHistogram(await client.metrics(), 'index_freshness_seconds'), metricsBefore);
    probeLatencies.sort((a, b) => a - b);
    const pct = (q: number): number => probeLatencies[Math.min(probeLatencies.length - 1, Math.floor(q * probeLatencies.length))] ?? Number.NaN;
    const freshP50 = pct(0.5);
    const freshP95 = pct(0.95);
    say(`freshness at ${steadyRate} vectors/s steady load: produce -> returned by /v1/knn p50 ${freshP50.toFixed(0)} ms, p95 ${freshP95.toFixed(0)} ms over ${probeLatencies.length} probes (${probeMisses} not found within 30 s)`);
    say(`  writer histogram index_freshness_seconds over the phase: n=${fresh.count} p50 <= ${histogramQuantile(fresh, 0.5)} s, p95 <= ${histogramQuantile(fresh, 0.95)} s`);

    // snapshot durations so far
    const snap = parseHistogram(await client.metrics(), 'index_snapshot_duration_seconds');
    const snapshotMeanMs = snap.count > 0 ? (snap.sum / snap.count) * 1000 : Number.NaN;
    const diskBytes = await dirBytes(dataDir);
    say(`snapshots: ${snap.count} written, mean ${snapshotMeanMs.toFixed(0)} ms, p95 <= ${(histogramQuantile(snap, 0.95) * 1000).toFixed(0)} ms; data dir ${(diskBytes / 2 ** 20).toFixed(0)} MB`);

    // 5: restart recovery after kill -9.
    const expected = next + probeIndex;
    await waitFor(async () => (await client.count()) >= expected, { timeoutMs: 600_000, intervalMs: 250, what: `${expected} vectors indexed before the kill` });
    await writer.kill9();
    const tRestart = performance.now();
    writer.start();
    await waitFor(() => client.ready(), { timeoutMs: 1_800_000, intervalMs: 100, what: 'index-writer ready after kill -9' });
    const readyMs = performance.now() - tRestart;
    await waitFor(async () => (await client.count().catch(() => 0)) >= expected, { timeoutMs: 1_800_000, intervalMs: 100, what: 'caught up after restart' });
    const caughtUpMs = performance.now() - tRestart;
    say(`recovery after kill -9 at ${expected} vectors: ready in ${(readyMs / 1000).toFixed(1)} s, caught up (count ${expected}) in ${(caughtUpMs / 1000).toFixed(1)} s`);

    // 6: the same vectors into a second writer with its own metrics off (own group and data dir), then metrics on again;
    // the overhead compares the sustained rates of the two runs nearest in time.
    // Each metrics run indexes the first `metricsN` vectors of the topic (all of them in quick mode).
    const metricsN = Math.min(sizes.n, 100_000);
    const rateWith = async (metricsEnabled: boolean): Promise<{ perSecond: number; cpuPerItem: number }> => {
      const dir = await fs.mkdtemp(join(tmpdir(), 'bench-index-m-'));
      const mPort = await freePort();
      const other = new AppProcess(
        'index-writer',
        builtApp('index-writer'),
        {
          ...fastKafkaEnv(stack.brokers, stack.registryUrl),
          KAFKA_GROUP_ID: uniqueName('bench-index-m'),
          INDEX_DATA_DIR: dir,
          INDEX_DIM: String(dim),
          INDEX_M: String(hnsw.m),
          INDEX_EF_CONSTRUCTION: String(hnsw.efConstruction),
          INDEX_HTTP_PORT: String(mPort),
          INDEX_TOPIC_VECTOR_CLEANED: topic,
          INDEX_TOPIC_INDEX_UPDATED: updated,
          METRICS_ENABLED: String(metricsEnabled),
          LOG_LEVEL: 'warn',
        },
        join(dir, 'writer.log'),
      );
      const otherClient = new IndexWriterClient(`http://127.0.0.1:${mPort}`);
      try {
        other.start();
        await waitFor(() => otherClient.ready(), { timeoutMs: 120_000, what: 'index-writer (metrics phase) ready' });
        const pid = other.pid ?? NaN;
        const tStart = performance.now();
        let t10m: number | undefined;
        let t90m: number | undefined;
        let cpu10: number | undefined;
        let cpu90: number | undefined;
        let n10 = 0;
        let n90 = 0;
        await waitFor(
          async () => {
            const count = await otherClient.count();
            if (t10m === undefined && count >= 0.1 * metricsN) [t10m, cpu10, n10] = [performance.now(), processCpuSeconds(pid), count];
            if (t90m === undefined && count >= 0.9 * metricsN) [t90m, cpu90, n90] = [performance.now(), processCpuSeconds(pid), count];
            return count >= metricsN;
          },
          { timeoutMs: 3_600_000, intervalMs: 250, what: `${metricsN} vectors indexed (metrics ${metricsEnabled ? 'on' : 'off'})` },
        );
        return {
          perSecond: (0.8 * metricsN) / (((t90m ?? performance.now()) - (t10m ?? tStart)) / 1000),
          cpuPerItem: ((cpu90 ?? NaN) - (cpu10 ?? NaN)) / Math.max(1, n90 - n10),
        };
      } finally {
        await other.close();
        await fs.rm(dir, { recursive: true, force: true });
      }
    };
    // Alternated off/on pairs; the cost is read from the writer's CPU per vector (all threads, from
    // /proc), which moves far less between identical runs than the insert rate does on this machine.
    const metricsOn: { perSecond: number; cpuPerItem: number }[] = [];
    const metricsOff: { perSecond: number; cpuPerItem: number }[] = [];
    // The order flips every pair, so a drift in machine load does not favour one side.
    for (let pair = 0; pair < sizes.metricsPairs; pair++) {
      for (const enabled of pair % 2 === 0 ? [false, true] : [true, false]) (enabled ? metricsOn : metricsOff).push(await rateWith(enabled));
    }
    const cost = metricsCost(metricsOn, metricsOff);
    const vpsMetricsOff = median(metricsOff.map((r) => r.perSecond));
    const vpsMetricsOn = median(metricsOn.map((r) => r.perSecond));
    const runs = (rs: { perSecond: number; cpuPerItem: number }[]) => rs.map((r) => `${r.perSecond.toFixed(0)} v/s ${(r.cpuPerItem * 1e6).toFixed(0)} CPU-µs/v`).join(', ');
    say(`metrics off: ${runs(metricsOff)}; on: ${runs(metricsOn)}`);
    say(`whole runs, metrics on vs off (medians): ${cost.cpuPct.toFixed(2)} % CPU per vector, ${cost.throughputPct.toFixed(1)} % insert rate — run-to-run noise here is of the same size`);
    // The cost isolated: the writer's metric calls per vector replayed and timed in CPU (batches of
    // the size the writer applied), plus one scrape of its /metrics per 15 s (Prometheus's default).
    const cpuPerVectorOff = median(metricsOff.map((r) => r.cpuPerItem));
    const callNs = callCostNsPerItem(indexWriterCallSequence(), 100);
    const scrapeT = performance.now();
    for (let i = 0; i < 5; i++) await client.metrics();
    const scrapeMs = (performance.now() - scrapeT) / 5;
    const callsPct = (callNs / 1e9 / cpuPerVectorOff) * 100;
    const scrapeCpuPerVector = scrapeMs / 1000 / 15 / median(metricsOn.map((r) => r.perSecond));
    const scrapePct = (scrapeCpuPerVector / cpuPerVectorOff) * 100;
    say(
      `metrics cost isolated: calls ${(callNs / 1000).toFixed(2)} µs/vector = ${callsPct.toFixed(3)} % of ${(cpuPerVectorOff * 1e6).toFixed(0)} CPU-µs/vector; ` +
        `scrape ${scrapeMs.toFixed(1)} ms per 15 s = ${scrapePct.toFixed(4)} %; total ${(callsPct + scrapePct).toFixed(3)} %`,
    );

    Object.assign(summary, {
      bench: 'index',
      quick,
      n: sizes.n,
      app_vps: Math.round(appVps),
      app_vps_overall: Math.round(appVpsAll),
      raw_vps: Math.round(rawVps),
      raw_n: sizes.rawN,
      ratio: Number(ratio.toFixed(3)),
      freshness_p50_ms: Math.round(freshP50),
      freshness_p95_ms: Math.round(freshP95),
      freshness_probes: probeLatencies.length,
      freshness_misses: probeMisses,
      steady_vps: steadyRate,
      mb_per_million: Math.round(mbPerMillion),
      raw_mb_per_million: Math.round(rawMbPerMillion),
      snapshot_mean_ms: Math.round(snapshotMeanMs),
      snapshots: snap.count,
      recovery_ready_ms: Math.round(readyMs),
      recovery_caught_up_ms: Math.round(caughtUpMs),
      recovery_vectors: expected,
      metrics_off_vps: Math.round(vpsMetricsOff),
      metrics_on_vps: Math.round(vpsMetricsOn),
      metrics_overhead_pct: Number((callsPct + scrapePct).toFixed(3)),
      metrics_call_us_per_vector: Number((callNs / 1000).toFixed(2)),
      metrics_onoff_cpu_pct: Number(cost.cpuPct.toFixed(2)),
      metrics_onoff_throughput_pct: Number(cost.throughputPct.toFixed(2)),
      generator_recall_at_10: Number(recall.toFixed(4)),
      generator_check_n: sizes.checkN,
      generator_check: verdict.split(' ')[0],
    });
  } catch (err) {
    say(`index-writer log tail:\n${writer.tail(40)}`);
    throw err;
  } finally {
    await writer.close();
    await producer.disconnect();
    // BENCH_INDEX_LOG=<file>: keep the writer's log (its data directory is removed).
    if (process.env.BENCH_INDEX_LOG !== undefined) await fs.copyFile(join(dataDir, 'writer.log'), process.env.BENCH_INDEX_LOG).catch(() => undefined);
    await fs.rm(dataDir, { recursive: true, force: true });
  }
  process.stdout.write(`${JSON.stringify(summary)}\n`);
}

/** Produces one probe row and polls /v1/knn until it is returned; resolves with the delay from send to first hit. */
async function probe(client: IndexWriterClient, producer: AvroProducer, topic: string, vectors: Float32Array, dim: number, r: number): Promise<number> {
  const vector = vectors.subarray(r * dim, (r + 1) * dim);
  const id = rowId(r);
  const sent = performance.now();
  await produceCleaned(producer, topic, vectors, dim, r, r + 1, { batch: 1, inFlight: 1 });
  const deadline = sent + 30_000;
  while (performance.now() < deadline) {
    const hits = await client.knn(vector, 10, 200).catch(() => []);
    if (hits.some((h) => h.id === id)) return performance.now() - sent;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`probe ${id} not searchable within 30 s`);
}

async function dirBytes(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) total += await dirBytes(path);
    else if (entry.isFile()) total += (await fs.stat(path)).size;
  }
  return total;
}
