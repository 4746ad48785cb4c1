import { KerasLayer, TfjsLayersModel } from '../convert/tfjs-layers-model';

/**
 * A 7-layer Keras CNN small enough to check by hand-written reference code: it has
 * every construct the MobileNetV2 conversion relies on (ZeroPadding2D folded into a
 * stride-2 'valid' conv, batch norm, ReLU6, a stride-2 'same' depthwise conv whose TF
 * padding is asymmetric, a 1×1 conv with bias and relu, a residual Add, Flatten of a
 * spatial tensor). Input [N, 8, 8, 2] NHWC; output [N, 12].
 */
export const TINY_INPUT = { h: 8, w: 8, c: 2 };
export const TINY_OUTPUT_DIM = 12;

function layer(name: string, className: string, config: Record<string, unknown>, inbound: string[]): KerasLayer {
  return { name, class_name: className, config: { name, ...config }, inbound_nodes: inbound.length > 0 ? [inbound.map((n) => [n, 0, 0, {}])] : [] };
}

function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296 - 0.5;
  };
}

export function tinyKerasModel(seed = 7): TfjsLayersModel {
  const rnd = seeded(seed);
  const values = (n: number, scale = 1, offset = 0) => Float32Array.from({ length: n }, () => offset + rnd() * scale);
  const weights = new Map<string, { shape: number[]; values: Float32Array }>([
    ['conv/kernel', { shape: [3, 3, 2, 3], values: values(54) }],
    ['conv/bias', { shape: [3], values: values(3) }],
    ['bn/gamma', { shape: [3], values: values(3, 0.5, 1) }],
    ['bn/beta', { shape: [3], values: values(3) }],
    ['bn/moving_mean', { shape: [3], values: values(3) }],
    ['bn/moving_variance', { shape: [3], values: values(3, 0.5, 1) }],
    ['dw/depthwise_kernel', { shape: [3, 3, 3, 1], values: values(27) }],
    ['pw/kernel', { shape: [1, 1, 3, 3], values: values(9) }],
    ['pw/bias', { shape: [3], values: values(3) }],
  ]);
  const layers = [
    layer('in', 'InputLayer', { batch_input_shape: [null, TINY_INPUT.h, TINY_INPUT.w, TINY_INPUT.c] }, []),
    layer('pad', 'ZeroPadding2D', { padding: [[0, 1], [0, 1]] }, ['in']),
    layer('conv', 'Conv2D', { kernel_size: [3, 3], strides: [2, 2], padding: 'valid', use_bias: true, activation: 'linear' }, ['pad']),
    layer('bn', 'BatchNormalization', { axis: -1, epsilon: 0.001, center: true, scale: true }, ['conv']),
    layer('relu6', 'ReLU', { max_value: 6, negative_slope: 0, threshold: 0 }, ['bn']),
    layer('dw', 'DepthwiseConv2D', { kernel_size: [3, 3], strides: [2, 2], padding: 'same', use_bias: false, depth_multiplier: 1, activation: 'linear' }, ['relu6']),
    layer('pw', 'Conv2D', { kernel_size: [1, 1], strides: [1, 1], padding: 'same', use_bias: true, activation: 'relu' }, ['dw']),
    layer('sum', 'Add', {}, ['pw', 'dw']),
    layer('flat', 'Flatten', {}, ['sum']),
    layer('head', 'Dense', { units: 2 }, ['flat']),
  ];
  return { layers, weights };
}

/** A deterministic NHWC batch for the tiny model. */
export function tinyInput(n: number, seed = 11): Float32Array {
  const rnd = seeded(seed);
  return Float32Array.from({ length: n * TINY_INPUT.h * TINY_INPUT.w * TINY_INPUT.c }, () => rnd() * 4);
}

interface Nhwc {
  h: number;
  w: number;
  c: number;
  data: Float32Array;
}

/** Channels-last convolution with explicit [top, left] padding and output size (zero outside the input). */
function conv(x: Nhwc, k: Float32Array, kh: number, kw: number, cout: number, stride: number, pad: [number, number], out: [number, number], depthwise: boolean, bias?: Float32Array): Nhwc {
  const [oh, ow] = out;
  const data = new Float32Array(oh * ow * cout);
  for (let oy = 0; oy < oh; oy++) {
    for (let ox = 0; ox < ow; ox++) {
      for (let o = 0; o < cout; o++) {
        let acc = bias?.[o] ?? 0;
        for (let ky = 0; ky < kh; ky++) {
          for (let kx = 0; kx < kw; kx++) {
            const iy = oy * stride + ky - pad[0];
            const ix = ox * stride + kx - pad[1];
            if (iy < 0 || ix < 0 || iy >= x.h || ix >= x.w) continue;
            if (depthwise) {
              acc += x.data[(iy * x.w + ix) * x.c + o] * k[(ky * kw + kx) * x.c + o];
            } else {
              for (let i = 0; i < x.c; i++) acc += x.data[(iy * x.w + ix) * x.c + i] * k[((ky * kw + kx) * x.c + i) * cout + o];
            }
          }
        }
        data[(oy * ow + ox) * cout + o] = acc;
      }
    }
  }
  return { h: oh, w: ow, c: cout, data };
}

/** Straightforward NHWC evaluation of the tiny model up to `flat`, written independently of the converter. */
export function tinyReference(model: TfjsLayersModel, input: Float32Array, n: number): Float32Array {
  const w = (name: string) => (model.weights.get(name) as { values: Float32Array }).values;
  const out = new Float32Array(n * TINY_OUTPUT_DIM);
  const size = TINY_INPUT.h * TINY_INPUT.w * TINY_INPUT.c;
  for (let b = 0; b < n; b++) {
    const x: Nhwc = { ...TINY_INPUT, data: input.slice(b * size, (b + 1) * size) };
    // ZeroPadding2D [[0,1],[0,1]] then 'valid' 3×3 stride 2: 9×9 -> 4×4, padding only at bottom/right.
    const c1 = conv(x, w('conv/kernel'), 3, 3, 3, 2, [0, 0], [4, 4], false, w('conv/bias'));
    const g = w('bn/gamma'), be = w('bn/beta'), mu = w('bn/moving_mean'), v = w('bn/moving_variance');
    c1.data.forEach((val, i) => {
      const ch = i % 3;
      const bn = ((val - mu[ch]) / Math.sqrt(v[ch] + 0.001)) * g[ch] + be[ch];
      c1.data[i] = Math.min(6, Math.max(0, bn));
    });
    // TF 'same', 3×3 stride 2 on 4×4: 2×2 output, total padding 1 per axis, all of it at the end.
    const dw = conv(c1, w('dw/depthwise_kernel'), 3, 3, 3, 2, [0, 0], [2, 2], true);
    const pw = conv(dw, w('pw/kernel'), 1, 1, 3, 1, [0, 0], [2, 2], false, w('pw/bias'));
    pw.data.forEach((val, i) => (pw.data[i] = Math.max(0, val) + dw.data[i]));
    out.set(pw.data, b * TINY_OUTPUT_DIM); // NHWC flatten order, as Keras flattens
  }
  return out;
}
