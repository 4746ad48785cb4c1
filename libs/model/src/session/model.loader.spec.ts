/** @jest-environment ./libs/model/src/testing/onnx-jest.environment.js */
import { modelManifestSchema } from '../manifest/model-manifest.schema';
import { ModelManifestError, ModelNotFoundError } from '../model-errors';
import { TINY_MODEL_ID, tinyManifest, writeTinyModelDir } from '../testing/tiny-model-dir.fixture';
import * as ort from 'onnxruntime-node';
import { ModelEmbedder, l2NormaliseRows } from './model-embedder';
import { loadModel } from './model.loader';
import { ModelRuntimeOptions, defaultBatchShapes, modelRuntimeEnvSchema } from './model-runtime.config';

const options = (modelsDir: string, extra: Partial<ModelRuntimeOptions> = {}): ModelRuntimeOptions => ({
  modelsDir, modelId: TINY_MODEL_ID, executionProviders: ['cpu'], intraOpThreads: 1, interOpThreads: 1, ...extra,
});
const noWarnings = { warn: (message: string) => { throw new Error(`unexpected warning: ${message}`); } };

describe('loadModel', () => {
  it('opens a model whose manifest agrees with its graph and embeds L2-normalised rows', async () => {
    const model = await loadModel(options(writeTinyModelDir()), noWarnings);
    try {
      expect(model.executionProviders).toEqual(['cpu']);
      const n = 2;
      const batch = Float32Array.from({ length: n * model.inputSize + 5 }, (_, i) => (i % 17) / 17); // extra floats are ignored
      const raw = await model.run(batch, n);
      const vectors = await model.embed(batch, n);
      expect(vectors.length).toBe(n * 12);
      for (let r = 0; r < n; r++) {
        const row = vectors.subarray(r * 12, (r + 1) * 12);
        expect(Math.hypot(...row)).toBeCloseTo(1, 5);
        const rawNorm = Math.hypot(...raw.subarray(r * 12, (r + 1) * 12));
        expect(row[0] * rawNorm).toBeCloseTo(raw[r * 12], 4);
      }
      await expect(model.embed(batch.subarray(0, 10), 1)).rejects.toThrow('batch of 1 needs 192 floats, got 10');
    } finally {
      await model.release();
    }
  });

  it('throws for an unknown model id, naming it', async () => {
    await expect(loadModel(options(writeTinyModelDir(), { modelId: 'clip-vit' }), noWarnings)).rejects.toThrow(
      new ModelNotFoundError('clip-vit', [TINY_MODEL_ID]),
    );
  });

  it('throws when the manifest disagrees with the graph, naming each mismatch', async () => {
    const dir = writeTinyModelDir(tinyManifest({ input: { name: 'pixels', width: 16 }, output: { dim: 1280 } }));
    const failure = loadModel(options(dir), noWarnings);
    await expect(failure).rejects.toThrow(ModelManifestError);
    await expect(failure).rejects.toThrow(
      'model "tiny-test": input name: manifest says "pixels", graph has "input"; output "features" dims: manifest expects [batch, 1280], graph has [batch, 12]',
    );
    const layout = writeTinyModelDir(tinyManifest({ input: { layout: 'NCHW' } }));
    await expect(loadModel(options(layout), noWarnings)).rejects.toThrow(
      'input "input" dims: manifest expects NCHW [batch, 3, 8, 8], graph has [batch, 8, 8, 3]',
    );
  });

  it('names a missing ONNX file', async () => {
    const dir = writeTinyModelDir(tinyManifest({ file: 'absent.onnx' }));
    await expect(loadModel(options(dir), noWarnings)).rejects.toThrow(/absent.onnx is missing \(build it with `npm run model:build`\)/);
  });

  it('falls back from cuda to cpu with exactly one warning where cuda cannot load', async () => {
    const warnings: string[] = [];
    const model = await loadModel(options(writeTinyModelDir(), { executionProviders: ['cuda'] }), { warn: (m) => warnings.push(m) });
    try {
      if (model.executionProviders.includes('cuda')) {
        expect(warnings).toEqual([]); // a machine where CUDA really loads
      } else {
        expect(model.executionProviders).toEqual(['cpu']);
        expect(warnings).toHaveLength(1);
        expect(warnings[0]).toMatch(/execution provider "cuda" could not be loaded .*running model .* on cpu instead/);
      }
      expect((await model.embed(new Float32Array(model.inputSize), 1)).length).toBe(12);
    } finally {
      await model.release();
    }
  });
});

describe('batch shapes', () => {
  /** A session that records the batch dim of every run and answers `rows × 12` floats. */
  const manifest = modelManifestSchema.parse(tinyManifest());
  const recordingSession = () => {
    const shapes: number[] = [];
    const session = {
      run: (feeds: Record<string, ort.Tensor>) => {
        const n = Number(Object.values(feeds)[0].dims[0]);
        shapes.push(n);
        return Promise.resolve({ [manifest.output.name]: { data: Float32Array.from({ length: n * 12 }, (_, i) => i) } });
      },
    } as unknown as ort.InferenceSession;
    return { shapes, session };
  };

  it('pads a batch to the smallest shape that holds it, warms every shape once, and runs larger batches as they are', async () => {
    const { shapes, session } = recordingSession();
    const embedder = new ModelEmbedder(manifest, session, ['cuda', 'cpu'], null, [1, 4, 8]);
    await embedder.warmUp();
    expect(shapes).toEqual([1, 4, 8]);
    const out = await embedder.run(new Float32Array(3 * embedder.inputSize), 3);
    expect(shapes.at(-1)).toBe(4);
    expect(out.length).toBe(3 * 12); // only the real rows
    await embedder.run(new Float32Array(9 * embedder.inputSize), 9);
    expect(shapes.at(-1)).toBe(9);
    await embedder.run(new Float32Array(8 * embedder.inputSize), 8);
    expect(shapes.at(-1)).toBe(8);
  });

  it('rejects shapes that are not ascending positive integers', () => {
    const { session } = recordingSession();
    expect(() => new ModelEmbedder(manifest, session, ['cpu'], null, [4, 2])).toThrow('batch shapes must be positive integers in ascending order, got 4,2');
    expect(() => new ModelEmbedder(manifest, session, ['cpu'], null, [0])).toThrow(RangeError);
  });

  it('gives the same embeddings padded as unpadded on a real session', async () => {
    const dir = writeTinyModelDir();
    const plain = await loadModel(options(dir, { batchShapes: [] }), noWarnings);
    const padded = await loadModel(options(dir, { batchShapes: [2, 8] }), noWarnings);
    try {
      expect(padded.batchShapes).toEqual([2, 8]);
      const n = 5;
      const batch = Float32Array.from({ length: n * plain.inputSize }, (_, i) => ((i * 7) % 23) / 23);
      const a = await plain.embed(batch, n);
      const b = await padded.embed(batch, n);
      expect(b.length).toBe(a.length);
      for (let i = 0; i < a.length; i++) expect(b[i]).toBeCloseTo(a[i], 5);
    } finally {
      await plain.release();
      await padded.release();
    }
  });

  it('defaults to powers of two up to the largest batch, and that batch, on cuda, and to none on cpu', () => {
    expect(defaultBatchShapes(['cuda', 'cpu'])).toEqual([1, 2, 4, 8, 16, 32]);
    expect(defaultBatchShapes(['cuda', 'cpu'], 48)).toEqual([1, 2, 4, 8, 16, 32, 48]);
    expect(defaultBatchShapes(['cuda', 'cpu'], 1)).toEqual([1]);
    expect(defaultBatchShapes(['cpu'], 48)).toEqual([]);
  });

  it('reads MODEL_BATCH_SHAPES as sorted distinct sizes, "none" as no padding, and names a bad value', () => {
    expect(modelRuntimeEnvSchema.parse({ MODEL_BATCH_SHAPES: '8,1,8' }).MODEL_BATCH_SHAPES).toEqual([1, 8]);
    expect(modelRuntimeEnvSchema.parse({ MODEL_BATCH_SHAPES: 'none' }).MODEL_BATCH_SHAPES).toEqual([]);
    expect(modelRuntimeEnvSchema.parse({}).MODEL_BATCH_SHAPES).toBeUndefined();
    const bad = modelRuntimeEnvSchema.safeParse({ MODEL_BATCH_SHAPES: '4,0' });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues.map((i) => [i.path.join('.'), i.message])).toEqual([['MODEL_BATCH_SHAPES', 'expected positive integers separated by commas, or "none"; got "4,0"']]);
  });
});

describe('l2NormaliseRows', () => {
  it('normalises each row and leaves zero rows at zero', () => {
    const rows = new Float32Array([3, 4, 0, 0, 0, 0]);
    l2NormaliseRows(rows, 3);
    expect(Array.from(rows)).toEqual([0.6000000238418579, 0.800000011920929, 0, 0, 0, 0]);
  });
});
