/** @jest-environment ./libs/model/src/testing/onnx-jest.environment.js */
import * as ort from 'onnxruntime-node';
import { onnx } from 'onnx-proto';
import { composeDescriptorRows, poolThumbnail } from '../descriptor/descriptor.reference';
import { type DescriptorSpec, type ModelManifest, descriptorDim } from '../manifest/model-manifest.schema';
import { TINY_INPUT, TINY_OUTPUT_DIM } from '../testing/tiny-keras-model.fixture';
import { tinyOnnx } from '../testing/tiny-model-dir.fixture';
import { tapGraph } from '../cli/cached-tap-features';
import { appendDescriptorGraph } from './descriptor-graph';

const H = TINY_INPUT.h;
const W = TINY_INPUT.w;
const input: ModelManifest['input'] = {
  name: 'input', layout: 'NHWC', width: W, height: H, channels: 3, colourOrder: 'RGB', resize: 'stretch', interpolation: 'bilinear', pixelScale: 1, mean: [0, 0, 0], std: [1, 1, 1],
};
const rgbCentred: DescriptorSpec = {
  features: { name: 'features', dim: TINY_OUTPUT_DIM, power: 0.5, weight: 0.7 },
  thumbnail: { size: 4, colour: 'rgb', centre: true, weight: 1.3 },
};
const greyPlain: DescriptorSpec = {
  features: { name: 'features', dim: TINY_OUTPUT_DIM, power: 1, weight: 1 },
  thumbnail: { size: 2, colour: 'grey', centre: false, weight: 1 },
};

function thumbnailOf(spec: DescriptorSpec): NonNullable<DescriptorSpec['thumbnail']> {
  if (spec.thumbnail === undefined) throw new Error('the spec has no thumbnail');
  return spec.thumbnail;
}

/** n images, NHWC, 3 channels: seeded values in [-1, 3) (the tiny features then take both signs). */
function images(n: number, seed = 5): Float32Array {
  let s = seed;
  return Float32Array.from({ length: n * H * W * 3 }, () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return (s / 2147483648) * 4 - 1;
  });
}

async function run(onnx: Uint8Array, output: string, batch: Float32Array, n: number): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(onnx, { intraOpNumThreads: 1 });
  try {
    const result = await session.run({ input: new ort.Tensor('float32', batch, [n, H, W, 3]) });
    expect(session.outputNames).toEqual([output]);
    return result[output].data as Float32Array;
  } finally {
    await session.release();
  }
}

/** What the reference computes from the backbone's own output and the input tensor. */
async function reference(backbone: Uint8Array, spec: DescriptorSpec, batch: Float32Array, n: number): Promise<Float32Array> {
  const features = await run(backbone, 'features', batch, n);
  const size = thumbnailOf(spec).size;
  const thumbs = new Float32Array(n * 3 * size * size);
  for (let i = 0; i < n; i++) thumbs.set(poolThumbnail(batch, i, input, size), i * 3 * size * size);
  return composeDescriptorRows(features, thumbs, n, spec);
}

const maxDiff = (a: Float32Array, b: Float32Array) => Math.max(...Array.from(a, (v, i) => Math.abs(v - b[i])));

describe('appendDescriptorGraph', () => {
  const backbone = tinyOnnx(3);

  it.each([
    ['signed sqrt, rgb centred thumbnail, weights', rgbCentred],
    ['plain features, grey thumbnail', greyPlain],
  ])('computes the JS reference descriptor (%s)', async (_, spec) => {
    const n = 3;
    const batch = images(n);
    const actual = await run(appendDescriptorGraph(backbone, spec, input, 'descriptor'), 'descriptor', batch, n);
    const expected = await reference(backbone, spec, batch, n);
    expect(actual.length).toBe(n * descriptorDim(spec));
    expect(maxDiff(actual, expected)).toBeLessThan(1e-5);
    // each block has the norm of its weight
    const d = descriptorDim(spec);
    const fd = spec.features.dim;
    for (let r = 0; r < n; r++) {
      expect(Math.hypot(...actual.subarray(r * d, r * d + fd))).toBeCloseTo(spec.features.weight, 5);
      expect(Math.hypot(...actual.subarray(r * d + fd, (r + 1) * d))).toBeCloseTo(thumbnailOf(spec).weight, 5);
    }
  });

  it('keeps a flat image finite: its centred thumbnail block is zero', async () => {
    const flat = new Float32Array(H * W * 3).fill(0.5);
    const actual = await run(appendDescriptorGraph(backbone, rgbCentred, input, 'descriptor'), 'descriptor', flat, 1);
    expect(actual.every(Number.isFinite)).toBe(true);
    expect(Array.from(actual.subarray(TINY_OUTPUT_DIM)).every((v) => v === 0)).toBe(true);
    expect(maxDiff(actual, await reference(backbone, rgbCentred, flat, 1))).toBeLessThan(1e-5);
  });

  it('reads an intermediate tensor averaged over H and W, without a thumbnail: the reference over the tap averaged in JS', async () => {
    const n = 3;
    const batch = images(n, 11);
    const raw = tapGraph(backbone, 'relu6', false);
    const session = await ort.InferenceSession.create(raw.bytes, { intraOpNumThreads: 1 });
    const tap = (await session.run({ input: new ort.Tensor('float32', batch, [n, H, W, 3]) }))[raw.output];
    await session.release();
    const [, channels, h, w] = tap.dims;
    const data = tap.data as Float32Array;
    const pooled = new Float32Array(n * channels);
    for (let r = 0; r < n; r++) {
      for (let c = 0; c < channels; c++) {
        let sum = 0;
        for (let i = 0; i < h * w; i++) sum += data[(r * channels + c) * h * w + i];
        pooled[r * channels + c] = sum / (h * w);
      }
    }
    const spec: DescriptorSpec = { features: { name: 'relu6', dim: channels, power: 0.5, weight: 1, pool: 'spatial-mean' } };
    expect(descriptorDim(spec)).toBe(channels);
    const actual = await run(appendDescriptorGraph(backbone, spec, input, 'descriptor'), 'descriptor', batch, n);
    expect(actual.length).toBe(n * channels);
    expect(maxDiff(actual, composeDescriptorRows(pooled, new Float32Array(0), n, spec))).toBeLessThan(1e-5);
    for (let r = 0; r < n; r++) expect(Math.hypot(...actual.subarray(r * channels, (r + 1) * channels))).toBeCloseTo(1, 5);
    expect(() => appendDescriptorGraph(backbone, { features: { ...spec.features, name: 'no_such_tensor' } }, input, 'descriptor')).toThrow('the backbone graph has no tensor "no_such_tensor"');
    // The layers after the tap feed no output: they are gone from the graph, with the weights only they read.
    const composed = onnx.ModelProto.decode(appendDescriptorGraph(backbone, spec, input, 'descriptor')).graph;
    const produced = (composed?.node ?? []).flatMap((node) => node.output ?? []);
    expect(produced).toContain('relu6');
    expect(produced).not.toContain('pw');
    expect(produced).not.toContain('features');
    const original = onnx.ModelProto.decode(backbone).graph;
    expect((composed?.initializer ?? []).length).toBeLessThan((original?.initializer ?? []).length);
  });

  it('pools NCHW input the same way as NHWC', () => {
    const nhwc = images(1, 9);
    const nchw = new Float32Array(nhwc.length);
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) for (let c = 0; c < 3; c++) nchw[(c * H + y) * W + x] = nhwc[(y * W + x) * 3 + c];
    expect(Array.from(poolThumbnail(nchw, 0, { ...input, layout: 'NCHW' }, 2))).toEqual(Array.from(poolThumbnail(nhwc, 0, input, 2)));
  });

  it('is deterministic and names what it cannot do', () => {
    const a = appendDescriptorGraph(backbone, rgbCentred, input, 'descriptor');
    expect(Buffer.from(a).equals(Buffer.from(appendDescriptorGraph(backbone, rgbCentred, input, 'descriptor')))).toBe(true);
    expect(Buffer.from(a).equals(Buffer.from(appendDescriptorGraph(backbone, { ...rgbCentred, thumbnail: { ...thumbnailOf(rgbCentred), weight: 1.2 } }, input, 'descriptor')))).toBe(false);
    expect(() => appendDescriptorGraph(backbone, { ...rgbCentred, features: { ...rgbCentred.features, name: 'logits' } }, input, 'descriptor')).toThrow('the backbone graph has no output "logits"');
    expect(() => appendDescriptorGraph(backbone, rgbCentred, input, 'input')).toThrow('already has a tensor named "input"');
  });
});
