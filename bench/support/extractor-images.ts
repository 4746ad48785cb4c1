import { existsSync, promises as fs, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { ModelEmbedder } from '@stylestream/model';
import { ConcurrencyLimit } from '../../apps/extractor/src/concurrency.limit';
import { writeImageIntoBatch } from '../../apps/extractor/src/image-tensor';
import { SharpImageDecoder } from '../../apps/extractor/src/sharp-image.decoder';

/** `n` photos of `dir` (`<class>/*.jpg`), taken round-robin over the sorted classes: the same list every run. */
export function benchPhotos(dir: string, n: number): string[] {
  if (!existsSync(dir)) throw new Error(`${dir} is missing: the extractor bench needs ../shared/data/clothing-small`);
  const classes = readdirSync(dir).sort().map((c) => readdirSync(join(dir, c)).filter((f) => f.endsWith('.jpg')).sort().map((f) => join(dir, c, f)));
  const out: string[] = [];
  for (let i = 0; out.length < n && classes.some((c) => i < c.length); i++) {
    for (const c of classes) if (i < c.length && out.length < n) out.push(c[i]);
  }
  return out;
}

/** Seconds spent per stage over a run (sums, not wall time: stages of concurrent images overlap). */
export interface StageSeconds {
  fetch: number;
  decode: number;
  inference: number;
  publish: number;
}

export interface LoopResult {
  readonly ips: number;
  readonly stages: StageSeconds;
}

const decoder = new SharpImageDecoder(50_000_000);

/** Reads, decodes and preprocesses `paths` into one model input batch (what the model ceiling runs on). */
export async function preprocess(embedder: ModelEmbedder, paths: readonly string[], concurrency: number): Promise<Float32Array> {
  const batch = new Float32Array(paths.length * embedder.inputSize);
  const limit = new ConcurrencyLimit(concurrency);
  await Promise.all(
    paths.map((p, i) =>
      limit.run(async () => {
        const image = await decoder.prepare(await fs.readFile(p), embedder.manifest.input);
        writeImageIntoBatch(image.rgb, batch, i, embedder.manifest.input);
      }),
    ),
  );
  return batch;
}

/** The model's ceiling: bare `session.run` over preprocessed batches of `batchSize` (no normalisation, no I/O). */
export async function bareModel(embedder: ModelEmbedder, images: Float32Array, count: number, batchSize: number): Promise<number> {
  await embedder.run(images.subarray(0, Math.min(batchSize, count) * embedder.inputSize), Math.min(batchSize, count)); // warm-up
  // Whole batches only: a smaller last batch is another input shape, which a provider may set up anew (cuDNN does, for seconds).
  const whole = count >= batchSize ? count - (count % batchSize) : count;
  const started = performance.now();
  for (let start = 0; start < whole; start += batchSize) {
    const n = Math.min(batchSize, whole - start);
    await embedder.run(images.subarray(start * embedder.inputSize, (start + n) * embedder.inputSize), n);
  }
  return whole / ((performance.now() - started) / 1000);
}

/**
 * The pipeline's ceiling on this machine, no Kafka: per batch of `batchSize` files,
 * read + decode + preprocess them (`concurrency` at a time, like the app), then one
 * `embed` (session.run + L2). Batches run one after the other.
 */
export async function bareLoop(embedder: ModelEmbedder, paths: readonly string[], batchSize: number, concurrency: number): Promise<LoopResult> {
  const stages: StageSeconds = { fetch: 0, decode: 0, inference: 0, publish: 0 };
  const limit = new ConcurrencyLimit(concurrency);
  const started = performance.now();
  for (let start = 0; start < paths.length; start += batchSize) {
    const chunk = paths.slice(start, start + batchSize);
    const batch = new Float32Array(chunk.length * embedder.inputSize);
    await Promise.all(
      chunk.map((p, i) =>
        limit.run(async () => {
          const t0 = performance.now();
          const bytes = await fs.readFile(p);
          const t1 = performance.now();
          const image = await decoder.prepare(bytes, embedder.manifest.input);
          writeImageIntoBatch(image.rgb, batch, i, embedder.manifest.input);
          stages.fetch += (t1 - t0) / 1000;
          stages.decode += (performance.now() - t1) / 1000;
        }),
      ),
    );
    const t = performance.now();
    await embedder.embed(batch, chunk.length);
    stages.inference += (performance.now() - t) / 1000;
  }
  return { ips: paths.length / ((performance.now() - started) / 1000), stages };
}
