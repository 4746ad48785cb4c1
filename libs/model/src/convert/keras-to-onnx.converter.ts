import { ModelConversionError } from '../model-errors';
import { Dim, OnnxGraphBuilder } from './onnx-graph.builder';
import { KerasLayer, TfjsLayersModel } from './tfjs-layers-model';

/** What to cut out of the Keras graph and how to name the ONNX graph's ends. */
export interface ConversionOptions {
  /** The Keras layer whose output becomes the graph output (layers after it are dropped). */
  outputLayer: string;
  inputName: string;
  outputName: string;
  graphName: string;
}

/** The encoded ONNX model and the dims of its single input (NHWC) and output. */
export interface ConvertedModel {
  onnx: Uint8Array;
  inputDims: Dim[];
  outputDims: Dim[];
}

/** A converted tensor in NCHW (or flat [N, dim]) with its static sizes; `pad` is a ZeroPadding2D not yet applied. */
interface Tensor {
  name: string;
  c: number;
  h: number;
  w: number;
  flat: boolean;
  pad?: [top: number, bottom: number, left: number, right: number];
}

/**
 * Converts a Keras (channels-last) CNN, as stored in a tfjs layers model, to an ONNX
 * opset-13 graph that computes in NCHW. The graph input is NHWC `[batch, H, W, C]`
 * and is transposed once inside the graph. ZeroPadding2D is folded into the pads of
 * the convolution that consumes it; TF 'same' padding is computed per axis, with the
 * odd extra pixel at the end (bottom/right) as TF does.
 */
export function convertKerasToOnnx(model: TfjsLayersModel, options: ConversionOptions): ConvertedModel {
  return new KerasToOnnxConverter(model, options).convert();
}

class KerasToOnnxConverter {
  private readonly g: OnnxGraphBuilder;
  private readonly tensors = new Map<string, Tensor>();
  private inputDims: Dim[] = [];

  constructor(private readonly model: TfjsLayersModel, private readonly options: ConversionOptions) {
    this.g = new OnnxGraphBuilder(options.graphName);
  }

  convert(): ConvertedModel {
    const needed = this.layersNeededFor(this.options.outputLayer);
    for (const layer of this.model.layers) {
      if (needed.has(layer.name)) this.tensors.set(layer.name, this.convertLayer(layer));
    }
    const out = this.materialise(this.tensorOf(this.options.outputLayer));
    this.g.addNode('Identity', [out.name], [this.options.outputName]);
    const outputDims: Dim[] = out.flat ? ['batch', out.c] : ['batch', out.c, out.h, out.w];
    this.g.addOutput(this.options.outputName, outputDims);
    return { onnx: this.g.encode(), inputDims: this.inputDims, outputDims };
  }

  private layersNeededFor(outputLayer: string): Set<string> {
    const byName = new Map(this.model.layers.map((l) => [l.name, l]));
    if (!byName.has(outputLayer)) throw new ModelConversionError(`output layer "${outputLayer}" is not in the model`);
    const needed = new Set<string>();
    const stack = [outputLayer];
    while (stack.length > 0) {
      const name = stack.pop() as string;
      if (needed.has(name)) continue;
      needed.add(name);
      const layer = byName.get(name);
      if (layer === undefined) throw new ModelConversionError(`layer "${name}" is referenced but not defined`);
      stack.push(...inboundNames(layer));
    }
    return needed;
  }

  private convertLayer(layer: KerasLayer): Tensor {
    const inputs = inboundNames(layer).map((n) => this.tensorOf(n));
    const c = layer.config;
    switch (layer.class_name) {
      case 'InputLayer':
        return this.input(layer);
      case 'ZeroPadding2D':
        return this.zeroPadding(layer, inputs[0]);
      case 'Conv2D':
      case 'DepthwiseConv2D':
        return this.activation(layer, this.conv(layer, inputs[0]), describe(c.activation ?? 'linear'));
      case 'BatchNormalization':
        return this.batchNorm(layer, this.materialise(inputs[0]));
      case 'ReLU':
        return this.relu(layer, this.materialise(inputs[0]));
      case 'Add':
        return this.add(layer, inputs.map((t) => this.materialise(t)));
      case 'AveragePooling2D':
        return this.averagePool(layer, this.materialise(inputs[0]));
      case 'GlobalAveragePooling2D':
        return this.flatten(layer, this.globalAveragePool(layer, this.materialise(inputs[0])));
      case 'Flatten':
        return this.flatten(layer, this.materialise(inputs[0]));
      case 'Dropout':
        return inputs[0];
      default:
        throw new ModelConversionError(`layer ${layer.name}: class ${layer.class_name} is not supported by the converter`);
    }
  }

  private input(layer: KerasLayer): Tensor {
    const shape = layer.config.batch_input_shape as (number | null)[] | undefined;
    if (shape?.length !== 4 || shape.slice(1).some((d) => d === null)) {
      throw new ModelConversionError(`input ${layer.name}: expected a static [batch, H, W, C] shape, got ${JSON.stringify(shape)}`);
    }
    const [h, w, ch] = shape.slice(1) as number[];
    this.inputDims = ['batch', h, w, ch];
    this.g.addInput(this.options.inputName, this.inputDims);
    const name = this.g.uniqueName(`${layer.name}_nchw`);
    this.g.addNode('Transpose', [this.options.inputName], [name], { perm: [0, 3, 1, 2] });
    return { name, c: ch, h, w, flat: false };
  }

  private zeroPadding(layer: KerasLayer, x: Tensor): Tensor {
    const p = layer.config.padding as [[number, number], [number, number]];
    const prev = x.pad ?? [0, 0, 0, 0];
    const pad: Tensor['pad'] = [prev[0] + p[0][0], prev[1] + p[0][1], prev[2] + p[1][0], prev[3] + p[1][1]];
    return { ...x, h: x.h + p[0][0] + p[0][1], w: x.w + p[1][0] + p[1][1], pad };
  }

  /** Applies a pending ZeroPadding2D as a Pad node (only when no convolution absorbed it). */
  private materialise(x: Tensor): Tensor {
    if (x.pad === undefined) return x;
    const [t, b, l, r] = x.pad;
    const pads = this.g.addInt64Initializer(`${x.name}_pads`, [0, 0, t, l, 0, 0, b, r]);
    const name = this.g.uniqueName(`${x.name}_padded`);
    this.g.addNode('Pad', [x.name, pads], [name], { mode: 'constant' });
    return { name, c: x.c, h: x.h, w: x.w, flat: false };
  }

  private conv(layer: KerasLayer, x: Tensor): Tensor {
    const c = layer.config;
    const depthwise = layer.class_name === 'DepthwiseConv2D';
    const [kh, kw] = c.kernel_size as [number, number];
    const [sh, sw] = c.strides as [number, number];
    const [dh, dw] = (c.dilation_rate as [number, number] | undefined) ?? [1, 1];
    if (c.data_format !== undefined && c.data_format !== 'channels_last') {
      throw new ModelConversionError(`layer ${layer.name}: data_format ${describe(c.data_format)} is not supported`);
    }
    let pads: [number, number, number, number]; // top, left, bottom, right
    if (c.padding === 'valid') {
      const p = x.pad ?? [0, 0, 0, 0];
      pads = [p[0], p[2], p[1], p[3]];
    } else if (c.padding === 'same') {
      x = this.materialise(x);
      const [top, bottom] = samePadding(x.h, kh, sh, dh);
      const [left, right] = samePadding(x.w, kw, sw, dw);
      pads = [top, left, bottom, right];
    } else {
      throw new ModelConversionError(`layer ${layer.name}: padding ${describe(c.padding)} is not supported`);
    }
    // For 'valid', x.h/x.w already include any folded ZeroPadding2D.
    const extraH = c.padding === 'same' ? pads[0] + pads[2] : 0;
    const extraW = c.padding === 'same' ? pads[1] + pads[3] : 0;
    const outH = Math.floor((x.h + extraH - ((kh - 1) * dh + 1)) / sh) + 1;
    const outW = Math.floor((x.w + extraW - ((kw - 1) * dw + 1)) / sw) + 1;

    const kernelName = depthwise ? `${layer.name}/depthwise_kernel` : `${layer.name}/kernel`;
    const kernel = this.weight(kernelName);
    const cin = kernel.shape[2];
    const perGroup = kernel.shape[3]; // filters (Conv2D) or depth multiplier (DepthwiseConv2D)
    const cout = depthwise ? cin * perGroup : perGroup;
    const w = new Float32Array(kernel.values.length);
    for (let y = 0; y < kh; y++) {
      for (let xx = 0; xx < kw; xx++) {
        for (let i = 0; i < cin; i++) {
          for (let o = 0; o < perGroup; o++) {
            const src = ((y * kw + xx) * cin + i) * perGroup + o;
            const dst = depthwise ? ((i * perGroup + o) * kh + y) * kw + xx : ((o * cin + i) * kh + y) * kw + xx;
            w[dst] = kernel.values[src];
          }
        }
      }
    }
    const wName = this.g.addFloatInitializer(kernelName, depthwise ? [cout, 1, kh, kw] : [cout, cin, kh, kw], w);
    const inputs = [x.name, wName];
    if (c.use_bias === true) inputs.push(this.g.addFloatInitializer(`${layer.name}/bias`, [cout], this.weight(`${layer.name}/bias`).values));
    const name = this.g.uniqueName(layer.name);
    this.g.addNode('Conv', inputs, [name], {
      kernel_shape: [kh, kw],
      strides: [sh, sw],
      dilations: [dh, dw],
      pads,
      group: depthwise ? cin : 1,
    });
    return { name, c: cout, h: outH, w: outW, flat: false };
  }

  private activation(layer: KerasLayer, x: Tensor, activation: string): Tensor {
    if (activation === 'linear') return x;
    if (activation === 'relu') {
      const name = this.g.uniqueName(`${layer.name}_relu`);
      this.g.addNode('Relu', [x.name], [name]);
      return { ...x, name };
    }
    throw new ModelConversionError(`layer ${layer.name}: activation ${activation} is not supported`);
  }

  private batchNorm(layer: KerasLayer, x: Tensor): Tensor {
    const c = layer.config;
    if (c.axis !== -1 && c.axis !== 3 && !(Array.isArray(c.axis) && c.axis.length === 1 && c.axis[0] === 3)) {
      throw new ModelConversionError(`layer ${layer.name}: batch normalisation over axis ${JSON.stringify(c.axis)} is not supported`);
    }
    const n = x.c;
    const gamma = c.scale === false ? new Float32Array(n).fill(1) : this.weight(`${layer.name}/gamma`).values;
    const beta = c.center === false ? new Float32Array(n) : this.weight(`${layer.name}/beta`).values;
    const inputs = [
      x.name,
      this.g.addFloatInitializer(`${layer.name}/gamma`, [n], gamma),
      this.g.addFloatInitializer(`${layer.name}/beta`, [n], beta),
      this.g.addFloatInitializer(`${layer.name}/moving_mean`, [n], this.weight(`${layer.name}/moving_mean`).values),
      this.g.addFloatInitializer(`${layer.name}/moving_variance`, [n], this.weight(`${layer.name}/moving_variance`).values),
    ];
    const name = this.g.uniqueName(layer.name);
    this.g.addNode('BatchNormalization', inputs, [name], { epsilon: { f: Number(c.epsilon ?? 0.001) } });
    return { ...x, name };
  }

  private relu(layer: KerasLayer, x: Tensor): Tensor {
    const c = layer.config;
    if ((c.negative_slope ?? 0) !== 0 || (c.threshold ?? 0) !== 0) {
      throw new ModelConversionError(`layer ${layer.name}: ReLU with negative_slope/threshold is not supported`);
    }
    const name = this.g.uniqueName(layer.name);
    if (c.max_value === null || c.max_value === undefined) {
      this.g.addNode('Relu', [x.name], [name]);
    } else {
      const lo = this.g.addFloatInitializer(`${layer.name}/min`, [], new Float32Array([0]));
      const hi = this.g.addFloatInitializer(`${layer.name}/max`, [], new Float32Array([Number(c.max_value)]));
      this.g.addNode('Clip', [x.name, lo, hi], [name]);
    }
    return { ...x, name };
  }

  private add(layer: KerasLayer, xs: Tensor[]): Tensor {
    let acc = xs[0];
    for (let i = 1; i < xs.length; i++) {
      const name = this.g.uniqueName(i === xs.length - 1 ? layer.name : `${layer.name}_${i}`);
      this.g.addNode('Add', [acc.name, xs[i].name], [name]);
      acc = { ...acc, name };
    }
    return acc;
  }

  private averagePool(layer: KerasLayer, x: Tensor): Tensor {
    const c = layer.config;
    const [ph, pw] = c.pool_size as [number, number];
    const [sh, sw] = (c.strides as [number, number] | null) ?? [ph, pw];
    if (c.padding !== 'valid') throw new ModelConversionError(`layer ${layer.name}: only 'valid' average pooling is supported`);
    if (ph === x.h && pw === x.w) return this.globalAveragePool(layer, x);
    const name = this.g.uniqueName(layer.name);
    this.g.addNode('AveragePool', [x.name], [name], { kernel_shape: [ph, pw], strides: [sh, sw] });
    return { ...x, name, h: Math.floor((x.h - ph) / sh) + 1, w: Math.floor((x.w - pw) / sw) + 1 };
  }

  private globalAveragePool(layer: KerasLayer, x: Tensor): Tensor {
    const name = this.g.uniqueName(layer.name);
    this.g.addNode('GlobalAveragePool', [x.name], [name]);
    return { ...x, name, h: 1, w: 1 };
  }

  /** Keras flattens channels-last; for spatial size > 1 the NCHW tensor is transposed back to NHWC first. */
  private flatten(layer: KerasLayer, x: Tensor): Tensor {
    if (x.flat) return x;
    let source = x.name;
    if (x.h * x.w > 1) {
      source = this.g.uniqueName(`${layer.name}_nhwc`);
      this.g.addNode('Transpose', [x.name], [source], { perm: [0, 2, 3, 1] });
    }
    const name = this.g.uniqueName(layer.name);
    this.g.addNode('Flatten', [source], [name], { axis: 1 });
    return { name, c: x.c * x.h * x.w, h: 1, w: 1, flat: true };
  }

  private weight(name: string): { shape: number[]; values: Float32Array } {
    const w = this.model.weights.get(name);
    if (w === undefined) throw new ModelConversionError(`weight ${name} is missing from the weights manifest`);
    return w;
  }

  private tensorOf(layerName: string): Tensor {
    const t = this.tensors.get(layerName);
    if (t === undefined) throw new ModelConversionError(`layer ${layerName} is used before it is defined`);
    return t;
  }
}

function inboundNames(layer: KerasLayer): string[] {
  if (layer.inbound_nodes.length > 1) {
    throw new ModelConversionError(`layer ${layer.name}: shared layers (called more than once) are not supported`);
  }
  return (layer.inbound_nodes[0] ?? []).map((entry) => entry[0]);
}

/** A config value as text (strings bare, anything else as JSON). */
function describe(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** TF 'same' padding for one axis: [begin, end], the extra pixel (if odd) at the end. */
export function samePadding(size: number, kernel: number, stride: number, dilation = 1): [number, number] {
  const effective = (kernel - 1) * dilation + 1;
  const out = Math.ceil(size / stride);
  const total = Math.max((out - 1) * stride + effective - size, 0);
  const begin = Math.floor(total / 2);
  return [begin, total - begin];
}
