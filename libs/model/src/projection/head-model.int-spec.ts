/** @jest-environment ./libs/model/src/testing/onnx-jest.environment.js */
/**
 * Integration tier, no services: the committed head model (models/mobilenet-v2-nsfwjs-h256:
 * manifest + projection.bin) over the default backbone, built by `model:build` when
 * missing. A fixture image must embed to a unit 256-d vector equal to the backbone's
 * features (with a descriptor: the descriptor the JS reference composes from them and
 * the pooled input) projected by the committed head; the graph's descriptor output must
 * equal the reference within 1e-4.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { DEFAULT_MODEL_ID, buildDefaultModel } from '../convert/default-model.build';
import { l2NormaliseRows } from '../session/model-embedder';
import { loadModel } from '../session/model.loader';
import { composeDescriptorRows, poolThumbnail } from '../descriptor/descriptor.reference';
import * as ort from 'onnxruntime-node';
import { tapGraph } from '../cli/cached-tap-features';
import { decodeProjection } from './projection-file';
import { projectRows } from './linear-projection';

const modelsDir = resolve(__dirname, '../../../../models');
const HEAD_ID = 'mobilenet-v2-nsfwjs-h256';
const SIZE = 224;

/** A 224×224 NHWC image in [0, 1]: a diagonal gradient with a dark disc. */
function fixture(): Float32Array {
  const image = new Float32Array(SIZE * SIZE * 3);
  for (let y = 0; y < SIZE; y++) {
    for (let x = 0; x < SIZE; x++) {
      const disc = (x - 90) ** 2 + (y - 120) ** 2 < 50 ** 2;
      for (let c = 0; c < 3; c++) image[(y * SIZE + x) * 3 + c] = disc ? 0.1 : ((x + y * (c + 1)) % 256) / 255;
    }
  }
  return image;
}

/** The backbone's tensor `tap` (NCHW) for one NHWC image, averaged over H and W in float64. */
async function pooledTap(backbonePath: string, tap: string, image: Float32Array): Promise<Float32Array> {
  const graph = tapGraph(readFileSync(backbonePath), tap, false);
  const session = await ort.InferenceSession.create(graph.bytes, { intraOpNumThreads: 1 });
  try {
    const out = (await session.run({ [session.inputNames[0]]: new ort.Tensor('float32', image, [1, SIZE, SIZE, 3]) }))[graph.output];
    const [, channels, h, w] = out.dims;
    const data = out.data as Float32Array;
    return Float32Array.from({ length: channels }, (_, c) => {
      let sum = 0;
      for (let i = 0; i < h * w; i++) sum += data[c * h * w + i];
      return sum / (h * w);
    });
  } finally {
    await session.release();
  }
}

describe('committed head model', () => {
  beforeAll(() => {
    buildDefaultModel(modelsDir);
  }, 300_000);

  it('embeds a fixture image to a unit 256-d vector: the backbone features through projection.bin', async () => {
    const options = { modelsDir, executionProviders: ['cpu' as const], intraOpThreads: 1, interOpThreads: 1 };
    const head = await loadModel({ ...options, modelId: HEAD_ID });
    const backbone = await loadModel({ ...options, modelId: DEFAULT_MODEL_ID });
    try {
      expect(head.manifest.backbone).toBe(DEFAULT_MODEL_ID);
      expect(head.dim).toBe(256);
      expect(head.manifest.version).not.toBe(backbone.manifest.version);
      const vector = await head.embed(fixture(), 1);
      expect(vector.length).toBe(256);
      expect(vector.every(Number.isFinite)).toBe(true);
      expect(Math.hypot(...vector)).toBeCloseTo(1, 5);

      const spec = head.manifest.projection;
      if (spec === null) throw new Error('the head model has no projection');
      const projection = decodeProjection(readFileSync(resolve(modelsDir, HEAD_ID, spec.file)), spec.inputDim, spec.outputDim);
      const descriptor = head.manifest.descriptor;
      // The features block's input: the backbone output, or (a pooled tap) the raw intermediate tensor averaged here in JS.
      const features = descriptor?.features.pool === undefined ? await backbone.embed(fixture(), 1) : await pooledTap(resolve(modelsDir, DEFAULT_MODEL_ID, head.manifest.file), descriptor.features.name, fixture());
      let headInput = features;
      if (descriptor !== undefined) {
        const thumbnail = descriptor.thumbnail === undefined ? new Float32Array(0) : poolThumbnail(fixture(), 0, head.manifest.input, descriptor.thumbnail.size);
        headInput = composeDescriptorRows(features, thumbnail, 1, descriptor);
        const graphOutput = await head.backbone(fixture(), 1);
        expect(graphOutput.length).toBe(headInput.length);
        let descriptorDiff = 0;
        for (let i = 0; i < headInput.length; i++) descriptorDiff = Math.max(descriptorDiff, Math.abs(graphOutput[i] - headInput[i]));
        expect(descriptorDiff).toBeLessThan(1e-4);
      }
      const expected = projectRows(projection, headInput, 1);
      l2NormaliseRows(expected, 256);
      let maxDiff = 0;
      for (let i = 0; i < 256; i++) maxDiff = Math.max(maxDiff, Math.abs(expected[i] - vector[i]));
      expect(maxDiff).toBeLessThan(1e-4);
    } finally {
      await head.release();
      await backbone.release();
    }
  }, 120_000);
});
