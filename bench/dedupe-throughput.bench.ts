import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Kafka, logLevel } from 'kafkajs';
import { AvroProducer } from '@stylestream/kafka';
import { SchemaRegistryGateway, vectorExtractedContract, type VectorExtracted } from '@stylestream/schemas';
import { createTopics, seededRandom, stack, uniqueName, waitFor } from '@stylestream/test-support';
import { generateVectors } from './support/clustered-vectors';
import { AppProcess, builtApp, fastKafkaEnv, freePort } from './support/index-app-process';
import { extractedRecord, sha256Hex } from './support/index-feed';

/**
 * `npm run bench -- dedupe-throughput [--quick] [--n=N] [--batch=B] [--cap-s=S]`: records per
 * second through the dedupe app (child process, real Kafka and registry), one record per handler
 * call (`DEDUPE_BATCH_MAX_MESSAGES=1`, the former behaviour: two acknowledged writes per record)
 * against batches (`DEDUPE_BATCH_MAX_MESSAGES=B`, default 256), on the same input in the same run.
 *
 * Input: `n` generated 256-d vector-extracted records on 16 partitions, produced once before either
 * run: 80 % originals, then exact copies (same sha256) and near copies (one pHash bit off, vector
 * perturbed) of originals, shuffled in. Each run has its own group, changelog and output topic, and
 * starts from an empty state. Rate: records on the output topic, from 5 % of `n` (after start-up)
 * until 95 % or `cap-s` seconds, whichever comes first (the one-at-a-time run may not finish).
 * The order of the two runs alternates with `--pairs=P` (default 1) so a load drift favours neither.
 * Last line: {"bench":"dedupe-throughput","sequential_rps":..,"batch_rps":..,"ratio":..}.
 */
export async function run(args: string[]): Promise<void> {
  const quick = args.includes('--quick');
  const flag = (name: string, fallback: number): number => {
    const value = args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
    return value === undefined ? fallback : Math.max(1, Number(value));
  };
  const n = flag('n', quick ? 4_000 : 20_000);
  const batchMax = flag('batch', 256);
  const capS = flag('cap-s', quick ? 60 : 120);
  const pairs = flag('pairs', 1);
  const partitions = 16;
  const dim = 256;
  const say = (line: string): void => void process.stderr.write(`${line}\n`);
  process.env.KAFKAJS_NO_PARTITIONER_WARNING ??= '1';

  const kafka = new Kafka({ brokers: stack.brokers, clientId: 'bench-dedupe-throughput', logLevel: logLevel.NOTHING });
  const codec = SchemaRegistryGateway.connect({ url: stack.registryUrl });
  const producer = new AvroProducer(kafka, codec, { retries: 5 });
  const admin = kafka.admin();
  const input = uniqueName('bench-dd-ve');
  await createTopics([input, `${input}.dlq`], partitions);
  await producer.connect();
  await admin.connect();
  const dir = await fs.mkdtemp(join(tmpdir(), 'bench-dedupe-tp-'));
  try {
    const records = plan(n, dim);
    const counts = records.reduce<Record<string, number>>((acc, r) => ({ ...acc, [r.kind]: (acc[r.kind] ?? 0) + 1 }), {});
    say(`dedupe throughput: ${n} records (${Object.entries(counts).map(([k, c]) => `${c} ${k}`).join(', ')}), ${partitions} input partitions, batch ${batchMax} vs 1`);
    const contract = vectorExtractedContract.onTopic(input);
    const t = performance.now();
    for (let start = 0; start < records.length; start += 500) {
      await producer.sendBatch(contract, records.slice(start, start + 500).map((r) => ({ key: r.value.imageId, value: r.value })));
    }
    say(`produced in ${((performance.now() - t) / 1000).toFixed(1)} s`);

    const measure = async (batch: number, runIndex: number): Promise<number> => {
      const output = uniqueName('bench-dd-vc');
      await createTopics([output], 4);
      const port = await freePort();
      const app = new AppProcess(
        'dedupe',
        builtApp('dedupe'),
        {
          ...fastKafkaEnv(stack.brokers, stack.registryUrl),
          KAFKA_GROUP_ID: uniqueName('bench-dd-g'),
          KAFKA_PARTITIONS_CONCURRENCY: String(partitions),
          DEDUPE_STATE_TOPIC: uniqueName('bench-dd-state'),
          DEDUPE_STATE_PARTITIONS: '4',
          DEDUPE_TOPIC_VECTOR_EXTRACTED: input,
          DEDUPE_TOPIC_VECTOR_CLEANED: output,
          DEDUPE_HTTP_PORT: String(port),
          DEDUPE_MODELS: `1.0.0=${dim}`,
          DEDUPE_BATCH_MAX_MESSAGES: String(batch),
          LOG_LEVEL: 'warn',
        },
        join(dir, `dedupe-${runIndex}-b${batch}.log`),
      );
      const outputCount = async (): Promise<number> => (await admin.fetchTopicOffsets(output)).reduce((s, p) => s + Number(p.high), 0);
      try {
        app.start();
        await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined))?.status === 200, { timeoutMs: 120_000, what: 'dedupe ready' });
        let from: { t: number; count: number } | undefined;
        let to: { t: number; count: number } | undefined;
        const started = performance.now();
        await waitFor(
          async () => {
            const count = await outputCount();
            const now = performance.now();
            if (from === undefined && count >= 0.05 * n) from = { t: now, count };
            if (from !== undefined && (count >= 0.95 * n || now - from.t >= capS * 1000)) to = { t: now, count };
            return to !== undefined;
          },
          { timeoutMs: capS * 1000 + 600_000, intervalMs: 200, what: `dedupe output (batch ${batch})` },
        );
        const a = from ?? { t: started, count: 0 };
        const b = to ?? { t: performance.now(), count: await outputCount() };
        const rps = (b.count - a.count) / ((b.t - a.t) / 1000);
        say(`batch ${batch}: ${b.count - a.count} records in ${((b.t - a.t) / 1000).toFixed(1)} s = ${rps.toFixed(0)} records/s${b.count < 0.95 * n ? ` (stopped at the ${capS} s cap, ${b.count} of ${n} out)` : ''}`);
        return rps;
      } catch (err) {
        say(`dedupe log tail:\n${app.tail(30)}`);
        throw err;
      } finally {
        await app.close();
      }
    };

    const sequential: number[] = [];
    const batched: number[] = [];
    for (let pair = 0; pair < pairs; pair++) {
      for (const batch of pair % 2 === 0 ? [1, batchMax] : [batchMax, 1]) (batch === 1 ? sequential : batched).push(await measure(batch, pair));
    }
    const median = (xs: number[]): number => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)] ?? Number.NaN;
    const seq = median(sequential);
    const bat = median(batched);
    say(`ratio batch/one-at-a-time: ${(bat / seq).toFixed(1)}`);
    process.stdout.write(
      `${JSON.stringify({ bench: 'dedupe-throughput', quick, n, batch_max: batchMax, pairs, sequential_rps: Math.round(seq), batch_rps: Math.round(bat), ratio: Number((bat / seq).toFixed(2)) })}\n`,
    );
  } finally {
    await admin.disconnect();
    await producer.disconnect();
    await fs.rm(dir, { recursive: true, force: true });
  }
}

interface Planned {
  readonly kind: 'original' | 'exact' | 'near';
  readonly value: VectorExtracted;
}

/** 80 % originals, then exact and near copies of originals, shuffled among the originals' second half (seeded). */
function plan(n: number, dim: number): Planned[] {
  const random = seededRandom(20261127);
  const nOriginals = Math.round(n * 0.8);
  const vectors = generateVectors({ n: nOriginals, seed: 7, latentDim: 16, noise: 0.5 });
  const hex16 = (): string => Array.from({ length: 4 }, () => Math.floor(random() * 65536).toString(16).padStart(4, '0')).join('');
  const originals = Array.from({ length: nOriginals }, (_, row) => {
    const vector = vectors.subarray(row * dim, (row + 1) * dim);
    return { kind: 'original' as const, value: extractedRecord(`orig-${row}`, vector, sha256Hex(`orig-${row}`), hex16()) };
  });
  const copies: Planned[] = [];
  for (let i = 0; i < n - nOriginals; i++) {
    const o = originals[Math.floor(random() * nOriginals * 0.5)] ?? originals[0];
    if (o === undefined) break;
    if (i % 2 === 0) {
      copies.push({ kind: 'exact', value: { ...o.value, imageId: `exact-${i}` } });
    } else {
      const row = Number(o.value.imageId.slice(5));
      const v = Float32Array.from(vectors.subarray(row * dim, (row + 1) * dim), (x) => x + (random() - 0.5) * 0.01);
      const norm = Math.hypot(...v);
      const phash = o.value.perceptualHash;
      const flipped = `${phash.slice(0, 12)}${(parseInt(phash.slice(12), 16) ^ (1 << Math.floor(random() * 16))).toString(16).padStart(4, '0')}`;
      copies.push({ kind: 'near', value: extractedRecord(`near-${i}`, v.map((x) => x / norm), sha256Hex(`near-${i}`), flipped) });
    }
  }
  // Copies go among the second half of the originals (their originals are in the first half, produced earlier).
  const half = Math.floor(nOriginals / 2);
  const tail: Planned[] = [...originals.slice(half), ...copies].sort(() => random() - 0.5);
  return [...originals.slice(0, half), ...tail];
}
