import { ModelConversionError } from '../model-errors';

/** One weight entry of a tfjs `weightsManifest` group. */
export interface TfjsWeightSpec {
  name: string;
  shape: number[];
  dtype: 'float32';
  quantization?: { min?: number; scale?: number; dtype: 'uint8' | 'uint16' | 'float16' };
}

/** A Keras layer as serialised in a tfjs layers model's topology. */
export interface KerasLayer {
  name: string;
  class_name: string;
  config: Record<string, unknown>;
  /** `[[[inboundLayerName, nodeIndex, tensorIndex, kwargs], ...]]`; empty for the input layer. */
  inbound_nodes: [string, number, number, unknown][][];
}

/** A tfjs layers model in memory: its layers in topological order and dequantised weights by name. */
export interface TfjsLayersModel {
  layers: KerasLayer[];
  weights: Map<string, { shape: number[]; values: Float32Array }>;
}

/** The JSON document tfjs writes as `model.json` (topology + weights manifest). */
export interface TfjsModelJson {
  modelTopology: { model_config?: { config: { layers: KerasLayer[] } }; config?: { layers: KerasLayer[] } };
  weightsManifest: { paths: string[]; weights: TfjsWeightSpec[] }[];
}

const bytesPerElement = { uint8: 1, uint16: 2, float16: 2 } as const;

/**
 * Splits the concatenated weight bytes into named tensors, dequantising as tfjs does
 * (`value = min + q * scale` for uint8/uint16). float16 quantisation is not used by
 * the models we convert and is refused.
 */
export function readTfjsLayersModel(json: TfjsModelJson, weightData: Uint8Array): TfjsLayersModel {
  const layers = json.modelTopology.model_config?.config.layers ?? json.modelTopology.config?.layers;
  if (layers === undefined) throw new ModelConversionError('tfjs model has no layer list in modelTopology');
  const weights = new Map<string, { shape: number[]; values: Float32Array }>();
  const view = new DataView(weightData.buffer, weightData.byteOffset, weightData.byteLength);
  let offset = 0;
  for (const spec of json.weightsManifest.flatMap((group) => group.weights)) {
    const count = spec.shape.reduce((a, b) => a * b, 1);
    const width = spec.quantization === undefined ? 4 : (bytesPerElement[spec.quantization.dtype] ?? 4);
    if (offset + width * count > weightData.byteLength) {
      throw new ModelConversionError(`weight ${spec.name} ends past the ${weightData.byteLength} bytes of weight data`);
    }
    const values = new Float32Array(count);
    const q = spec.quantization;
    if (q === undefined) {
      for (let i = 0; i < count; i++) values[i] = view.getFloat32(offset + 4 * i, true);
      offset += 4 * count;
    } else if (q.dtype === 'uint8' || q.dtype === 'uint16') {
      const min = q.min ?? 0;
      const scale = q.scale ?? 1;
      for (let i = 0; i < count; i++) {
        const raw = q.dtype === 'uint8' ? view.getUint8(offset + i) : view.getUint16(offset + 2 * i, true);
        values[i] = min + raw * scale;
      }
      offset += bytesPerElement[q.dtype] * count;
    } else {
      throw new ModelConversionError(`weight ${spec.name}: quantisation ${q.dtype} is not supported`);
    }
    weights.set(spec.name, { shape: spec.shape, values });
  }
  if (offset !== weightData.byteLength) {
    throw new ModelConversionError(`weights manifest describes ${offset} bytes but the weight data has ${weightData.byteLength}`);
  }
  return { layers, weights };
}
