/** @jest-environment ./libs/model/src/testing/onnx-jest.environment.js */
/**
 * Integration tier, no services: the default model built by `model:build` (or its
 * cache) against the original tfjs layers model run by @tensorflow/tfjs (pure JS CPU
 * backend) on deterministic synthetic 224×224 images. Slow (~10 s of tfjs inference).
 */
import { resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { loadModel } from '../session/model.loader';
import { DEFAULT_MODEL_ID, buildDefaultModel } from './default-model.build';
import { readNsfwjsMobilenetSource } from './nsfwjs-mobilenet.source';

const modelsDir = resolve(__dirname, '../../../../models');
const SIZE = 224;

/** Gradient, checkerboard, seeded noise and flat grey, as pixel / 255 in [0, 1], NHWC. */
function fixtureImages(): Float32Array {
  const images = new Float32Array(4 * SIZE * SIZE * 3);
  let seed = 20261126;
  const noise = () => {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    return seed / 4294967296;
  };
  for (let y = 0; y < SIZE; y++) {
    for (let x = 0; x < SIZE; x++) {
      for (let c = 0; c < 3; c++) {
        const at = (img: number) => ((img * SIZE + y) * SIZE + x) * 3 + c;
        images[at(0)] = Math.round(((x + y * (c + 1)) % 256)) / 255;
        images[at(1)] = ((Math.floor(x / 16) + Math.floor(y / 16) + c) % 2 === 0 ? 230 : 20) / 255;
        images[at(2)] = Math.floor(noise() * 256) / 255;
        images[at(3)] = 128 / 255;
      }
    }
  }
  return images;
}

async function tfjsFeatures(images: Float32Array, n: number): Promise<Float32Array> {
  await tf.setBackend('cpu');
  const warn = console.warn.bind(console);
  const hush = jest.spyOn(console, 'warn').mockImplementation((...args: unknown[]) => {
    if (!String(args[0]).includes('tfjs-node')) warn(...args); // the "install tfjs-node" banner
  });
  const source = readNsfwjsMobilenetSource();
  const weightData = source.weightData.buffer.slice(source.weightData.byteOffset, source.weightData.byteOffset + source.weightData.byteLength);
  const full = await tf.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: source.json.modelTopology as unknown as tf.io.ModelJSON['modelTopology'],
      weightSpecs: source.json.weightsManifest.flatMap((g) => g.weights),
      weightData: weightData as ArrayBuffer,
    }),
  );
  const features = tf.model({ inputs: full.inputs, outputs: full.getLayer('flatten_1').output });
  const input = tf.tensor4d(images, [n, SIZE, SIZE, 3]);
  const output = features.predict(input) as tf.Tensor;
  const values = new Float32Array(await output.data());
  tf.dispose([input, output]);
  full.dispose();
  hush.mockRestore();
  return values;
}

describe('default model (nsfwjs MobileNetV2 -> ONNX)', () => {
  jest.setTimeout(180_000);

  it('builds (or reuses the cache) and matches tfjs within 1e-4 on 1280-d features', async () => {
    const first = buildDefaultModel(modelsDir);
    const again = buildDefaultModel(modelsDir);
    expect(again.built).toBe(false);
    expect(again.manifest.build?.onnxSha256).toBe(first.manifest.build?.onnxSha256);

    const n = 4;
    const images = fixtureImages();
    const model = await loadModel({ modelsDir, modelId: DEFAULT_MODEL_ID, executionProviders: ['cpu'], intraOpThreads: 2, interOpThreads: 1 });
    let onnxFeatures: Float32Array;
    try {
      expect(model.dim).toBe(1280);
      onnxFeatures = await model.run(images, n);
      const single = await model.run(images.subarray(2 * model.inputSize, 3 * model.inputSize), 1);
      expect(Math.max(...single.map((v, i) => Math.abs(v - onnxFeatures[2 * 1280 + i])))).toBeLessThan(1e-4); // batching does not change results
    } finally {
      await model.release();
    }
    const reference = await tfjsFeatures(images, n);
    expect(reference.length).toBe(n * 1280);
    let maxDiff = 0;
    for (let i = 0; i < reference.length; i++) maxDiff = Math.max(maxDiff, Math.abs(reference[i] - onnxFeatures[i]));
    process.stdout.write(`onnx vs tfjs: max |diff| = ${maxDiff.toExponential(2)} over ${n} images x 1280\n`);
    expect(maxDiff).toBeLessThanOrEqual(1e-4);
    expect(Math.max(...reference)).toBeGreaterThan(0.5); // features are not trivially zero
  });
});
