import * as ort from 'onnxruntime-node';
import { InvalidInputError } from '@stylestream/errors';
import { ModelManifest, expectedInputDims } from '../manifest/model-manifest.schema';
import { ExecutionProvider } from './model-runtime.config';

/**
 * Turns preprocessed image batches into embeddings with one onnxruntime session.
 * Contract: `embed` takes `n` images laid out per the manifest (`layout`, `width`,
 * `height`, already scaled/normalised) and resolves to `n × output.dim` floats,
 * each row L2-normalised when the manifest says `l2`. It does not block the event
 * loop (onnxruntime runs the graph on its own threads); calls may overlap, though
 * they then share the session's intra-op threads. A malformed batch is an
 * InvalidInputError; the embedder is unusable after `release`.
 */
export class ModelEmbedder {
  /** Floats per image in the input batch. */
  readonly inputSize: number;
  readonly dim: number;

  constructor(
    readonly manifest: ModelManifest,
    private readonly session: ort.InferenceSession,
    readonly executionProviders: ExecutionProvider[],
  ) {
    this.inputSize = expectedInputDims(manifest).reduce((a, b) => a * b, 1);
    this.dim = manifest.output.dim;
  }

  async embed(batch: Float32Array, n: number): Promise<Float32Array> {
    const raw = await this.run(batch, n);
    if (this.manifest.output.normalisation === 'l2') l2NormaliseRows(raw, this.dim);
    return raw;
  }

  /** The bare `session.run` (no normalisation): the model's ceiling in benchmarks. */
  async run(batch: Float32Array, n: number): Promise<Float32Array> {
    if (!Number.isInteger(n) || n < 1) throw new InvalidInputError(`batch size must be a positive integer, got ${n}`);
    if (batch.length < n * this.inputSize) {
      throw new InvalidInputError(`batch of ${n} needs ${n * this.inputSize} floats, got ${batch.length}`);
    }
    const data = batch.length === n * this.inputSize ? batch : batch.subarray(0, n * this.inputSize);
    const input = new ort.Tensor('float32', data, [n, ...expectedInputDims(this.manifest)]);
    const results = await this.session.run({ [this.manifest.input.name]: input });
    const output = results[this.manifest.output.name];
    const values = output.data as Float32Array;
    return values.length === n * this.dim ? values : values.slice(0, n * this.dim);
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}

/** Scales each `dim`-wide row of `rows` to unit L2 norm in place; all-zero rows stay zero. */
export function l2NormaliseRows(rows: Float32Array, dim: number): void {
  for (let start = 0; start < rows.length; start += dim) {
    let sum = 0;
    for (let i = start; i < start + dim; i++) sum += rows[i] * rows[i];
    if (sum === 0) continue;
    const inv = 1 / Math.sqrt(sum);
    for (let i = start; i < start + dim; i++) rows[i] *= inv;
  }
}
