/** @jest-environment ./libs/model/src/testing/onnx-jest.environment.js */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sha256 } from '../convert/default-model.build';
import { appendDescriptorGraph } from '../convert/descriptor-graph';
import { parseModelManifest } from '../manifest/model-manifest.reader';
import { type DescriptorSpec, descriptorDim, modelManifestSchema } from '../manifest/model-manifest.schema';
import { ModelManifestError } from '../model-errors';
import { type LinearProjection, projectRows } from '../projection/linear-projection';
import { encodeProjection, sha256Hex } from '../projection/projection-file';
import { l2NormaliseRows } from '../session/model-embedder';
import { loadModel } from '../session/model.loader';
import { TINY_OUTPUT_DIM } from '../testing/tiny-keras-model.fixture';
import { TINY_MODEL_ID, tinyManifest, writeTinyModelDir } from '../testing/tiny-model-dir.fixture';
import { composeDescriptorRows, poolThumbnail } from './descriptor.reference';

const HEAD_ID = 'tiny-descriptor-head';
const OUT = 5;
const spec: DescriptorSpec = {
  features: { name: 'features', dim: TINY_OUTPUT_DIM, power: 0.5, weight: 1 },
  thumbnail: { size: 4, colour: 'rgb', centre: true, weight: 0.8 },
};
const D = descriptorDim(spec);
const head: LinearProjection = {
  inputDim: D,
  outputDim: OUT,
  mean: Float32Array.from({ length: D }, (_, i) => i / 500),
  weights: Float32Array.from({ length: OUT * D }, (_, i) => Math.cos(i * 0.37)),
};
const bytes = encodeProjection(head);

/** A models dir with the tiny backbone and a head model over the descriptor of `spec`; `graphSha` defaults to the composed graph's. */
function withDescriptorHead(overrides: Record<string, unknown> = {}, graphSha?: string): string {
  const modelsDir = writeTinyModelDir();
  const backbone = readFileSync(join(modelsDir, TINY_MODEL_ID, 'model.onnx'));
  const document = tinyManifest({
    id: HEAD_ID,
    backbone: TINY_MODEL_ID,
    descriptor: spec,
    output: { name: 'descriptor', dim: D, normalisation: 'none' },
    projection: { file: 'projection.bin', sha256: sha256Hex(bytes), inputDim: D, outputDim: OUT, normalisation: 'l2' },
    build: { source: 'tiny', sourceSha256: '0'.repeat(64), converterVersion: 1, onnxSha256: graphSha ?? sha256(appendDescriptorGraph(backbone, spec, modelManifestSchema.parse(tinyManifest()).input, 'descriptor')) },
    ...overrides,
  });
  mkdirSync(join(modelsDir, HEAD_ID));
  writeFileSync(join(modelsDir, HEAD_ID, 'manifest.json'), JSON.stringify(document));
  writeFileSync(join(modelsDir, HEAD_ID, 'projection.bin'), bytes);
  return modelsDir;
}

const options = (modelsDir: string, modelId = HEAD_ID) => ({ modelsDir, modelId, executionProviders: ['cpu' as const], intraOpThreads: 1, interOpThreads: 1 });

describe('a model with a descriptor', () => {
  it('embeds L2(project(descriptor)), the descriptor composed in the graph as the JS reference computes it', async () => {
    const modelsDir = withDescriptorHead();
    const model = await loadModel(options(modelsDir));
    const backbone = await loadModel(options(modelsDir, TINY_MODEL_ID));
    try {
      expect(model.dim).toBe(OUT);
      const n = 2;
      const batch = Float32Array.from({ length: n * model.inputSize }, (_, i) => ((i * 7) % 19) / 19);
      const descriptor = await model.backbone(batch, n);
      expect(descriptor.length).toBe(n * D);
      const size = spec.thumbnail?.size ?? 0;
      const thumbs = new Float32Array(n * 3 * size * size);
      for (let i = 0; i < n; i++) thumbs.set(poolThumbnail(batch, i, model.manifest.input, size), i * 3 * size * size);
      const expectedDescriptor = composeDescriptorRows(await backbone.embed(batch, n), thumbs, n, spec);
      for (let i = 0; i < n * D; i++) expect(Math.abs(descriptor[i] - expectedDescriptor[i])).toBeLessThan(1e-5);
      const expected = projectRows(head, expectedDescriptor, n);
      l2NormaliseRows(expected, OUT);
      const vectors = await model.embed(batch, n);
      for (let i = 0; i < n * OUT; i++) expect(Math.abs(vectors[i] - expected[i])).toBeLessThan(1e-5);
    } finally {
      await model.release();
      await backbone.release();
    }
  });

  it('refuses a composed graph that differs from the one the head was trained for', async () => {
    await expect(loadModel(options(withDescriptorHead({}, 'a'.repeat(64))))).rejects.toThrow(/composed graph .* sha256 is [0-9a-f]{64}, manifest build.onnxSha256 says a{64}/);
    const edited = withDescriptorHead({ descriptor: { ...spec, thumbnail: { ...spec.thumbnail, weight: 0.9 } } });
    await expect(loadModel(options(edited))).rejects.toThrow(ModelManifestError);
    const wrongOutput = withDescriptorHead({ descriptor: { ...spec, features: { ...spec.features, name: 'logits' } } });
    await expect(loadModel(options(wrongOutput))).rejects.toThrow('the backbone graph has no output "logits"');
  });

  it('is validated: descriptor width, normalisation, pool size and build record', () => {
    const base = { id: HEAD_ID, backbone: TINY_MODEL_ID, descriptor: spec, output: { name: 'descriptor', dim: D, normalisation: 'none' }, build: { source: 's', sourceSha256: '0'.repeat(64), converterVersion: 1, onnxSha256: '0'.repeat(64) } };
    expect(parseModelManifest(HEAD_ID, tinyManifest(base)).descriptor).toEqual(spec);
    expect(() => parseModelManifest(HEAD_ID, tinyManifest({ ...base, output: { name: 'descriptor', dim: D + 1, normalisation: 'none' } }))).toThrow(`manifest output.dim: must equal the descriptor's width (${D})`);
    expect(() => parseModelManifest(HEAD_ID, tinyManifest({ ...base, output: { name: 'descriptor', dim: D, normalisation: 'l2' } }))).toThrow('manifest output.normalisation');
    expect(() => parseModelManifest(HEAD_ID, tinyManifest({ ...base, descriptor: { ...spec, thumbnail: { ...spec.thumbnail, size: 3 } }, output: { name: 'descriptor', dim: TINY_OUTPUT_DIM + 27, normalisation: 'none' } }))).toThrow('manifest descriptor.thumbnail.size: must divide the input 8×8, got 3');
    expect(() => parseModelManifest(HEAD_ID, tinyManifest({ ...base, build: undefined }))).toThrow('manifest build');
    expect(() => parseModelManifest(HEAD_ID, tinyManifest({ ...base, backbone: undefined }))).toThrow('manifest backbone');
  });
});
