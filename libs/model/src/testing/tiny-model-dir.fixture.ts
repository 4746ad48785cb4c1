import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { convertKerasToOnnx } from '../convert/keras-to-onnx.converter';
import { TINY_INPUT, TINY_OUTPUT_DIM, tinyKerasModel } from './tiny-keras-model.fixture';

export const TINY_MODEL_ID = 'tiny-test';

/** A manifest document matching the tiny model's ONNX graph; tests override fields to provoke mismatches. */
export function tinyManifest(overrides: { input?: Record<string, unknown>; output?: Record<string, unknown>; [key: string]: unknown } = {}): Record<string, unknown> {
  const { input, output, ...rest } = overrides;
  return {
    id: TINY_MODEL_ID,
    version: '0.0.1',
    file: 'model.onnx',
    input: {
      name: 'input', layout: 'NHWC', width: TINY_INPUT.w, height: TINY_INPUT.h, channels: 3,
      colourOrder: 'RGB', resize: 'stretch', interpolation: 'bilinear', pixelScale: 1, mean: [0, 0, 0], std: [1, 1, 1],
      ...input,
    },
    output: { name: 'features', dim: TINY_OUTPUT_DIM, normalisation: 'l2', ...output },
    projection: null,
    ...rest,
  };
}

/**
 * Writes `<tmp>/<TINY_MODEL_ID>/{model.onnx,manifest.json}` and returns the models dir.
 * The tiny graph has 2 input channels; manifests declare 3 (the schema allows only 3),
 * so the graph is rebuilt with a 3-channel input layer to keep them consistent.
 */
export function writeTinyModelDir(manifest: Record<string, unknown> = tinyManifest()): string {
  const modelsDir = mkdtempSync(join(tmpdir(), 'stylestream-model-'));
  mkdirSync(join(modelsDir, TINY_MODEL_ID));
  writeFileSync(join(modelsDir, TINY_MODEL_ID, 'model.onnx'), tinyOnnx(3));
  writeFileSync(join(modelsDir, TINY_MODEL_ID, 'manifest.json'), JSON.stringify(manifest));
  return modelsDir;
}

/** The tiny model converted to ONNX, with `channels` input channels. */
export function tinyOnnx(channels = TINY_INPUT.c): Uint8Array {
  const model = tinyKerasModel();
  if (channels !== TINY_INPUT.c) {
    model.layers[0].config.batch_input_shape = [null, TINY_INPUT.h, TINY_INPUT.w, channels];
    const k = model.weights.get('conv/kernel') as { shape: number[]; values: Float32Array };
    model.weights.set('conv/kernel', { shape: [3, 3, channels, 3], values: Float32Array.from({ length: 27 * channels }, (_, i) => k.values[i % k.values.length]) });
  }
  return convertKerasToOnnx(model, { outputLayer: 'flat', inputName: 'input', outputName: 'features', graphName: 'tiny' }).onnx;
}
