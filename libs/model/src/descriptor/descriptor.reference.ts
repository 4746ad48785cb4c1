import { type DescriptorSpec, type ModelManifest, descriptorDim } from '../manifest/model-manifest.schema';
import { DESCRIPTOR_NORM_EPSILON } from '../convert/descriptor-graph';

/**
 * The input tensor of image `index` in `batch` (laid out per `input`: layout, scaled,
 * mean/std applied) average-pooled to `size`×`size` per channel: `3 × size²` floats,
 * channel-major (what AveragePool + Flatten give in the graph). Computed in float64.
 */
export function poolThumbnail(batch: Float32Array, index: number, input: ModelManifest['input'], size: number): Float32Array {
  const { width, height } = input;
  if (width % size !== 0 || height % size !== 0) throw new RangeError(`thumbnail size ${size} must divide the input ${width}×${height}`);
  const kh = height / size;
  const kw = width / size;
  const base = index * width * height * 3;
  const at = input.layout === 'NHWC' ? (c: number, y: number, x: number) => batch[base + (y * width + x) * 3 + c] : (c: number, y: number, x: number) => batch[base + (c * height + y) * width + x];
  const out = new Float32Array(3 * size * size);
  for (let c = 0; c < 3; c++) {
    for (let ty = 0; ty < size; ty++) {
      for (let tx = 0; tx < size; tx++) {
        let sum = 0;
        for (let y = ty * kh; y < (ty + 1) * kh; y++) for (let x = tx * kw; x < (tx + 1) * kw; x++) sum += at(c, y, x);
        out[(c * size + ty) * size + tx] = sum / (kh * kw);
      }
    }
  }
  return out;
}

/**
 * The descriptor the graph of `spec` computes (convert/descriptor-graph.ts), from
 * backbone feature rows (`n × features.dim`; any positive scale per row, e.g. the
 * L2-normalised output a backbone-only model returns: every step before the
 * normalisation is positively homogeneous) and pooled thumbnails (`n × 3·size²`, as
 * `poolThumbnail` returns them). Returns `n × descriptorDim(spec)` floats. Training and
 * benchmarks use it on cached features; tests hold the graph to it.
 */
export function composeDescriptorRows(features: Float32Array, thumbnails: Float32Array, n: number, spec: DescriptorSpec): Float32Array {
  const fd = spec.features.dim;
  const thumbnail = spec.thumbnail;
  const size = thumbnail?.size ?? 0;
  const colour = thumbnail?.colour ?? 'rgb';
  const centre = thumbnail?.centre ?? false;
  const plane = size * size;
  const td = thumbnail === undefined ? 0 : 3 * plane;
  if (features.length < n * fd) throw new RangeError(`${n} feature rows of ${fd} need ${n * fd} floats, got ${features.length}`);
  if (thumbnails.length < n * td) throw new RangeError(`${n} thumbnails of ${td} need ${n * td} floats, got ${thumbnails.length}`);
  const dim = descriptorDim(spec);
  const out = new Float32Array(n * dim);
  const f = new Float64Array(fd);
  const channels = colour === 'rgb' ? 3 : 1;
  const t = new Float64Array(channels * plane);
  const p = spec.features.power;
  for (let r = 0; r < n; r++) {
    for (let i = 0; i < fd; i++) {
      const v = features[r * fd + i];
      f[i] = p === 1 ? v : Math.sign(v) * Math.abs(v) ** p;
    }
    writeNormalised(f, out, r * dim, spec.features.weight);
    if (thumbnail === undefined) continue;
    const src = r * td;
    for (let c = 0; c < channels; c++) {
      for (let i = 0; i < plane; i++) {
        t[c * plane + i] = colour === 'rgb' ? thumbnails[src + c * plane + i] : (thumbnails[src + i] + thumbnails[src + plane + i] + thumbnails[src + 2 * plane + i]) / 3;
      }
      if (!centre) continue;
      let mean = 0;
      for (let i = 0; i < plane; i++) mean += t[c * plane + i];
      mean /= plane;
      for (let i = 0; i < plane; i++) t[c * plane + i] -= mean;
    }
    writeNormalised(t, out, r * dim + fd, thumbnail.weight);
  }
  return out;
}

function writeNormalised(v: Float64Array, out: Float32Array, offset: number, weight: number): void {
  let squares = 0;
  for (const x of v) squares += x * x;
  const scale = weight / Math.sqrt(squares + DESCRIPTOR_NORM_EPSILON);
  for (let i = 0; i < v.length; i++) out[offset + i] = v[i] * scale;
}
