/** @jest-environment ./libs/model/src/testing/onnx-jest.environment.js */
import * as ort from 'onnxruntime-node';
import { ModelConversionError } from '../model-errors';
import { TINY_INPUT, TINY_OUTPUT_DIM, tinyInput, tinyKerasModel, tinyReference } from '../testing/tiny-keras-model.fixture';
import { convertKerasToOnnx, samePadding } from './keras-to-onnx.converter';
import { readTfjsLayersModel } from './tfjs-layers-model';

describe('convertKerasToOnnx', () => {
  it('produces a graph whose outputs match a hand-written channels-last reference', async () => {
    const model = tinyKerasModel();
    const converted = convertKerasToOnnx(model, { outputLayer: 'flat', inputName: 'input', outputName: 'features', graphName: 'tiny' });
    expect(converted.inputDims).toEqual(['batch', TINY_INPUT.h, TINY_INPUT.w, TINY_INPUT.c]);
    expect(converted.outputDims).toEqual(['batch', TINY_OUTPUT_DIM]);

    const session = await ort.InferenceSession.create(converted.onnx, { intraOpNumThreads: 1 });
    try {
      const n = 3;
      const input = tinyInput(n);
      const result = await session.run({ input: new ort.Tensor('float32', input, [n, TINY_INPUT.h, TINY_INPUT.w, TINY_INPUT.c]) });
      const actual = result.features.data as Float32Array;
      const expected = tinyReference(model, input, n);
      expect(actual.length).toBe(expected.length);
      const maxDiff = Math.max(...Array.from(expected, (v, i) => Math.abs(v - actual[i])));
      expect(maxDiff).toBeLessThan(1e-5);
      expect(Math.max(...expected)).toBeGreaterThan(0.1); // the reference is not trivially zero
    } finally {
      await session.release();
    }
  });

  it('is deterministic (same input, byte-identical ONNX)', () => {
    const options = { outputLayer: 'flat', inputName: 'input', outputName: 'features', graphName: 'tiny' };
    expect(Buffer.from(convertKerasToOnnx(tinyKerasModel(), options).onnx).equals(Buffer.from(convertKerasToOnnx(tinyKerasModel(), options).onnx))).toBe(true);
  });

  it('names an unsupported layer and an unknown output layer', () => {
    const options = { outputLayer: 'head', inputName: 'input', outputName: 'features', graphName: 'tiny' };
    expect(() => convertKerasToOnnx(tinyKerasModel(), options)).toThrow(new ModelConversionError('layer head: class Dense is not supported by the converter'));
    expect(() => convertKerasToOnnx(tinyKerasModel(), { ...options, outputLayer: 'nope' })).toThrow('output layer "nope" is not in the model');
  });
});

describe('samePadding (TF semantics)', () => {
  it.each([
    [224, 3, 1, [1, 1]],
    [4, 3, 2, [0, 1]],
    [3, 3, 2, [1, 1]],
    [224, 3, 2, [0, 1]],
    [7, 1, 1, [0, 0]],
  ])('size %i kernel %i stride %i -> %j', (size, kernel, stride, expected) => {
    expect(samePadding(size, kernel, stride)).toEqual(expected);
  });
});

describe('readTfjsLayersModel', () => {
  it('dequantises uint8 weights as min + q * scale and reads float32 weights as is', () => {
    const f32 = new Float32Array([1.5, -2]);
    const bytes = new Uint8Array([0, 2, 255, ...new Uint8Array(f32.buffer)]);
    const model = readTfjsLayersModel(
      {
        modelTopology: { config: { layers: [] } },
        weightsManifest: [{ paths: ['x'], weights: [
          { name: 'q', shape: [3], dtype: 'float32', quantization: { min: -1, scale: 0.5, dtype: 'uint8' } },
          { name: 'f', shape: [2], dtype: 'float32' },
        ] }],
      },
      bytes,
    );
    expect(Array.from(model.weights.get('q')?.values ?? [])).toEqual([-1, 0, 126.5]);
    expect(Array.from(model.weights.get('f')?.values ?? [])).toEqual([1.5, -2]);
  });

  it('refuses weight data whose length disagrees with the manifest', () => {
    expect(() =>
      readTfjsLayersModel({ modelTopology: { config: { layers: [] } }, weightsManifest: [{ paths: ['x'], weights: [{ name: 'f', shape: [2], dtype: 'float32' }] }] }, new Uint8Array(4)),
    ).toThrow(ModelConversionError);
  });
});
