import type { DescriptorSpec, ModelManifest } from '../manifest/model-manifest.schema';
import { descriptorDim } from '../manifest/model-manifest.schema';
import { OnnxGraphBuilder } from './onnx-graph.builder';

/** Added to Σv² before the square root, so an all-zero block (a flat image's centred thumbnail) stays zero instead of NaN. */
export const DESCRIPTOR_NORM_EPSILON = 1e-12;

/** ReduceMean attributes of a spatial mean: axes 2, 3 of an NCHW tensor, dropped. */
export const SPATIAL_MEAN = { axes: [2, 3], keepdims: 0 };

/**
 * Prepares a backbone graph to be read at its intermediate tensor `tap`: checks the graph
 * has it and stops declaring every backbone output (what follows the tap then feeds no
 * output, and `pruneToOutputs` can remove it once the new outputs are declared).
 */
export function detachOutputsAt(g: OnnxGraphBuilder, tap: string): void {
  if (!g.hasTensor(tap)) throw new RangeError(`the backbone graph has no tensor "${tap}"`);
  for (const name of g.outputNames()) g.removeOutput(name);
}

/**
 * Appends the descriptor of `spec` to an encoded backbone graph (opset 13) and
 * returns the new encoded model. Added nodes:
 * - features block: `features.name` → signed power (Abs, Pow, Sign, Mul; skipped for
 *   p = 1) → row normalisation (ReduceSumSquare, Add ε, Sqrt, Div) → × weight;
 * - thumbnail block: the graph input (Transpose to NCHW when the layout is NHWC) →
 *   AveragePool with kernel = stride = input size / thumbnail size → channel mean
 *   (`grey`) → minus the per-channel spatial mean (`centre`) → Flatten (channel-major)
 *   → row normalisation → × weight;
 * - Concat of both on axis 1 as the graph output `outputName`, `[batch, dim]`.
 * The backbone output stops being a graph output (it is still computed). With
 * `features.pool: 'spatial-mean'` the features block starts from ReduceMean over axes
 * 2, 3 of the named node output, every backbone output stops being one, and the nodes
 * after the tap (which then feed no output) are removed, so they cost nothing. Without a
 * thumbnail the features block is the output. The result is deterministic: the same bytes and spec give the same bytes.
 */
export function appendDescriptorGraph(backbone: Uint8Array, spec: DescriptorSpec, input: ModelManifest['input'], outputName: string): Uint8Array {
  const g = OnnxGraphBuilder.extend(backbone);
  if (spec.features.pool === undefined) {
    if (!g.outputNames().includes(spec.features.name)) {
      throw new RangeError(`the backbone graph has no output "${spec.features.name}" (it has ${g.outputNames().join(', ')})`);
    }
    g.removeOutput(spec.features.name);
  } else {
    detachOutputsAt(g, spec.features.name);
  }
  if (g.uniqueName(outputName) !== outputName) throw new RangeError(`the backbone graph already has a tensor named "${outputName}"`);
  const scalar = (base: string, v: number) => g.addFloatInitializer(base, [], Float32Array.of(v));
  const node = (op: string, inputs: string[], base: string, attributes: Parameters<OnnxGraphBuilder['addNode']>[3] = {}) => {
    const out = g.uniqueName(base);
    g.addNode(op, inputs, [out], attributes);
    return out;
  };
  const epsilon = scalar('descriptor_epsilon', DESCRIPTOR_NORM_EPSILON);
  const normalise = (x: string, prefix: string) => {
    const squares = node('ReduceSumSquare', [x], `${prefix}_sum_squares`, { axes: [1], keepdims: 1 });
    const norm = node('Sqrt', [node('Add', [squares, epsilon], `${prefix}_sum_squares_eps`)], `${prefix}_norm`);
    return node('Div', [x, norm], `${prefix}_normalised`);
  };
  const weighted = (x: string, weight: number, prefix: string) => (weight === 1 ? x : node('Mul', [x, scalar(`${prefix}_weight`, weight)], `${prefix}_weighted`));

  let f = spec.features.pool === undefined ? spec.features.name : node('ReduceMean', [spec.features.name], 'descriptor_features_pooled', SPATIAL_MEAN);
  if (spec.features.power !== 1) {
    const magnitude = node('Pow', [node('Abs', [f], 'descriptor_features_abs'), scalar('descriptor_features_power', spec.features.power)], 'descriptor_features_pow');
    f = node('Mul', [node('Sign', [f], 'descriptor_features_sign'), magnitude], 'descriptor_features_signed_pow');
  }
  f = weighted(normalise(f, 'descriptor_features'), spec.features.weight, 'descriptor_features');

  const t = spec.thumbnail;
  if (t === undefined) {
    g.addNode('Identity', [f], [outputName]);
    g.addOutput(outputName, ['batch', descriptorDim(spec)]);
    if (spec.features.pool !== undefined) g.pruneToOutputs();
    return g.encode();
  }
  const nchw = input.layout === 'NHWC' ? node('Transpose', [input.name], 'descriptor_input_nchw', { perm: [0, 3, 1, 2] }) : input.name;
  const kernel = [input.height / t.size, input.width / t.size];
  let thumb = node('AveragePool', [nchw], 'descriptor_thumbnail_pool', { kernel_shape: kernel, strides: kernel });
  if (t.colour === 'grey') thumb = node('ReduceMean', [thumb], 'descriptor_thumbnail_grey', { axes: [1], keepdims: 1 });
  if (t.centre) thumb = node('Sub', [thumb, node('ReduceMean', [thumb], 'descriptor_thumbnail_mean', { axes: [2, 3], keepdims: 1 })], 'descriptor_thumbnail_centred');
  thumb = node('Flatten', [thumb], 'descriptor_thumbnail_flat', { axis: 1 });
  thumb = weighted(normalise(thumb, 'descriptor_thumbnail'), t.weight, 'descriptor_thumbnail');

  g.addNode('Concat', [f, thumb], [outputName], { axis: 1 });
  g.addOutput(outputName, ['batch', descriptorDim(spec)]);
  if (spec.features.pool !== undefined) g.pruneToOutputs();
  return g.encode();
}
