import * as ort from 'onnxruntime-node';
import { InvalidInputError } from '@stylestream/errors';
import { ModelManifest, embeddingDim, expectedInputDims } from '../manifest/model-manifest.schema';
import { ModelManifestError } from '../model-errors';
import { LinearProjection, projectRows } from '../projection/linear-projection';
import { ExecutionProvider } from './model-runtime.config';

/**
 * Turns preprocessed image batches into embeddings with one onnxruntime session.
 * Contract: `embed` takes `n` images laid out per the manifest (`layout`, `width`,
 * `height`, already scaled/normalised) and resolves to `n × dim` floats: the graph
 * output, L2-normalised when `output.normalisation` says `l2`; then, when the
 * manifest has a projection, projected (`dim` = its `outputDim`) and normalised per
 * `projection.normalisation`. It does not block the event
 * loop (onnxruntime runs the graph on its own threads); calls may overlap, though
 * they then share the session's intra-op threads. A malformed batch is an
 * InvalidInputError; the embedder is unusable after `release`.
 *
 * With `batchShapes` (sorted ascending), a batch of n runs zero-padded to the smallest
 * shape ≥ n and only its first n outputs are returned; `warmUp` runs every shape once.
 */
export class ModelEmbedder {
  /** Floats per image in the input batch. */
  readonly inputSize: number;
  /** Floats per embedding (the projection's output dim when there is one). */
  readonly dim: number;

  constructor(
    readonly manifest: ModelManifest,
    private readonly session: ort.InferenceSession,
    readonly executionProviders: ExecutionProvider[],
    private readonly projection: LinearProjection | null = null,
    readonly batchShapes: readonly number[] = [],
  ) {
    if (batchShapes.some((b, i) => !Number.isInteger(b) || b < 1 || (i > 0 && b <= batchShapes[i - 1]))) {
      throw new RangeError(`batch shapes must be positive integers in ascending order, got ${batchShapes.join(',')}`);
    }
    if ((manifest.projection === null) !== (projection === null)) {
      throw new ModelManifestError(manifest.id, [`the manifest ${manifest.projection === null ? 'has no' : 'has a'} projection, the embedder was given ${projection === null ? 'none' : 'one'}`]);
    }
    this.inputSize = expectedInputDims(manifest).reduce((a, b) => a * b, 1);
    this.dim = embeddingDim(manifest);
  }

  async embed(batch: Float32Array, n: number): Promise<Float32Array> {
    return this.project(await this.backbone(batch, n), n);
  }

  /** `session.run` plus the output normalisation: `n × output.dim` backbone features, before any projection. */
  async backbone(batch: Float32Array, n: number): Promise<Float32Array> {
    const outputs = await this.run(batch, n);
    if (this.manifest.output.normalisation === 'l2') l2NormaliseRows(outputs, this.manifest.output.dim);
    return outputs;
  }

  /**
   * The head: projects `n` backbone feature rows (as `backbone` returns them) and
   * normalises per `projection.normalisation`; returns `features` itself when the
   * model has no projection. Callers that cache backbone features (training,
   * benchmarks) get exactly what `embed` would return.
   */
  project(features: Float32Array, n: number): Float32Array {
    if (this.projection === null || this.manifest.projection === null) return features;
    const projected = projectRows(this.projection, features, n);
    if (this.manifest.projection.normalisation === 'l2') l2NormaliseRows(projected, this.projection.outputDim);
    return projected;
  }

  /** The bare `session.run` (no normalisation, no projection; `n × output.dim`): the model's ceiling in benchmarks. */
  async run(batch: Float32Array, n: number): Promise<Float32Array> {
    if (!Number.isInteger(n) || n < 1) throw new InvalidInputError(`batch size must be a positive integer, got ${n}`);
    if (batch.length < n * this.inputSize) {
      throw new InvalidInputError(`batch of ${n} needs ${n * this.inputSize} floats, got ${batch.length}`);
    }
    const shape = this.batchShapes.find((b) => b >= n) ?? n;
    let data: Float32Array;
    if (shape === n) {
      data = batch.length === n * this.inputSize ? batch : batch.subarray(0, n * this.inputSize);
    } else {
      data = new Float32Array(shape * this.inputSize); // zeros after the n images
      data.set(batch.subarray(0, n * this.inputSize));
    }
    const input = new ort.Tensor('float32', data, [shape, ...expectedInputDims(this.manifest)]);
    const results = await this.session.run({ [this.manifest.input.name]: input });
    const output = results[this.manifest.output.name];
    const values = output.data as Float32Array;
    const width = this.manifest.output.dim;
    return values.length === n * width ? values : values.slice(0, n * width);
  }

  /** Runs every batch shape once on zeros, so a provider's per-shape set-up happens now, not mid-stream. */
  async warmUp(): Promise<void> {
    for (const shape of this.batchShapes) await this.run(new Float32Array(shape * this.inputSize), shape);
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
