/** @jest-environment ./libs/model/src/testing/onnx-jest.environment.js */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseModelManifest } from '../manifest/model-manifest.reader';
import { ModelManifestError } from '../model-errors';
import { l2NormaliseRows } from '../session/model-embedder';
import { loadModel } from '../session/model.loader';
import { TINY_MODEL_ID, tinyManifest, writeTinyModelDir } from '../testing/tiny-model-dir.fixture';
import { TINY_OUTPUT_DIM } from '../testing/tiny-keras-model.fixture';
import { LinearProjection, projectRows } from './linear-projection';
import { encodeProjection, sha256Hex } from './projection-file';

const HEAD_ID = 'tiny-head';
const OUT = 4;
const head: LinearProjection = {
  inputDim: TINY_OUTPUT_DIM,
  outputDim: OUT,
  mean: Float32Array.from({ length: TINY_OUTPUT_DIM }, (_, i) => i / 100),
  weights: Float32Array.from({ length: OUT * TINY_OUTPUT_DIM }, (_, i) => Math.sin(i + 1)),
};
const bytes = encodeProjection(head);
const spec = (overrides: Record<string, unknown> = {}) => ({ file: 'projection.bin', sha256: sha256Hex(bytes), inputDim: TINY_OUTPUT_DIM, outputDim: OUT, normalisation: 'l2', ...overrides });

/** A models dir with the tiny backbone and `tiny-head` = tiny backbone + the head above. */
function withHead(projection: Record<string, unknown>, file: Uint8Array = bytes): string {
  const modelsDir = writeTinyModelDir();
  mkdirSync(join(modelsDir, HEAD_ID));
  writeFileSync(join(modelsDir, HEAD_ID, 'manifest.json'), JSON.stringify(tinyManifest({ id: HEAD_ID, backbone: TINY_MODEL_ID, projection })));
  writeFileSync(join(modelsDir, HEAD_ID, 'projection.bin'), file);
  return modelsDir;
}
const options = (modelsDir: string) => ({ modelsDir, modelId: HEAD_ID, executionProviders: ['cpu' as const], intraOpThreads: 1, interOpThreads: 1 });

describe('manifest projection', () => {
  it('is validated: dims agree with the output, sha256 is hex, unknown fields are refused', () => {
    expect(parseModelManifest(HEAD_ID, tinyManifest({ id: HEAD_ID, projection: spec() })).projection?.outputDim).toBe(OUT);
    expect(() => parseModelManifest(HEAD_ID, tinyManifest({ id: HEAD_ID, projection: spec({ inputDim: 1280 }) }))).toThrow(
      `manifest projection.inputDim: must equal output.dim (${TINY_OUTPUT_DIM}), got 1280`,
    );
    expect(() => parseModelManifest(HEAD_ID, tinyManifest({ id: HEAD_ID, projection: spec({ sha256: 'abc' }) }))).toThrow('manifest projection.sha256');
    expect(() => parseModelManifest(HEAD_ID, tinyManifest({ id: HEAD_ID, projection: spec({ file: '../x.bin' }) }))).toThrow('manifest projection.file');
    expect(() => parseModelManifest(HEAD_ID, tinyManifest({ id: HEAD_ID, projection: spec({ bias: [] }) }))).toThrow(/manifest projection.*bias/);
  });
});

describe('loadModel with a projection', () => {
  it('runs the backbone named by the manifest, projects and L2-normalises to the head dim', async () => {
    const modelsDir = withHead(spec());
    const backbone = await loadModel({ ...options(modelsDir), modelId: TINY_MODEL_ID });
    const model = await loadModel(options(modelsDir));
    try {
      expect(model.dim).toBe(OUT);
      expect(model.manifest.version).toBe('0.0.1');
      const n = 2;
      const batch = Float32Array.from({ length: n * model.inputSize }, (_, i) => (i % 13) / 13);
      const vectors = await model.embed(batch, n);
      expect(vectors.length).toBe(n * OUT);
      const features = await backbone.embed(batch, n);
      const expected = projectRows(head, features, n);
      l2NormaliseRows(expected, OUT);
      for (let i = 0; i < n * OUT; i++) expect(vectors[i]).toBeCloseTo(expected[i], 5);
      for (let r = 0; r < n; r++) expect(Math.hypot(...vectors.subarray(r * OUT, (r + 1) * OUT))).toBeCloseTo(1, 5);
      expect(Array.from(model.project(await model.backbone(batch, n), n))).toEqual(Array.from(vectors));
    } finally {
      await model.release();
      await backbone.release();
    }
  });

  it('refuses a projection file whose sha256, size or values disagree with the manifest', async () => {
    const tampered = Buffer.from(bytes);
    tampered[0] ^= 1;
    await expect(loadModel(options(withHead(spec(), tampered)))).rejects.toThrow(/projection file .*projection.bin sha256: manifest says [0-9a-f]{64}, file has [0-9a-f]{64}/);
    const short = bytes.subarray(0, bytes.length - 4);
    await expect(loadModel(options(withHead(spec({ sha256: sha256Hex(short) }), short)))).rejects.toThrow(`holds ${bytes.length - 4} bytes`);
    const nan = encodeProjection({ ...head, weights: head.weights.map((v, i) => (i === 3 ? Number.NaN : v)) });
    await expect(loadModel(options(withHead(spec({ sha256: sha256Hex(nan) }), nan)))).rejects.toThrow('projection holds NaN or infinite values');
    const missing = withHead(spec({ file: 'absent.bin' }));
    await expect(loadModel(options(missing))).rejects.toThrow(ModelManifestError);
    await expect(loadModel(options(missing))).rejects.toThrow(/absent.bin cannot be read/);
  });
});
