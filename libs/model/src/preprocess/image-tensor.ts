import type { ModelManifest } from '../manifest/model-manifest.schema';

/**
 * Writes one `width`×`height` RGB image (3 bytes per pixel, row-major) into slot
 * `index` of a model input batch, per the manifest: channel order, layout (NHWC or
 * NCHW) and `((pixel * pixelScale) - mean[c]) / std[c]`.
 */
export function writeImageIntoBatch(rgb: Uint8Array, batch: Float32Array, index: number, input: ModelManifest['input']): void {
  const { width, height, pixelScale, mean, std } = input;
  const pixels = width * height;
  if (rgb.length !== pixels * 3) throw new RangeError(`expected ${pixels * 3} RGB bytes, got ${rgb.length}`);
  const base = index * pixels * 3;
  const order = input.colourOrder === 'RGB' ? [0, 1, 2] : [2, 1, 0];
  const scale = order.map((src) => pixelScale / std[src]);
  const offset = order.map((src) => mean[src] / std[src]);
  for (let c = 0; c < 3; c++) {
    const src = order[c];
    const s = scale[c];
    const o = offset[c];
    if (input.layout === 'NHWC') {
      for (let p = 0; p < pixels; p++) batch[base + p * 3 + c] = rgb[p * 3 + src] * s - o;
    } else {
      const plane = base + c * pixels;
      for (let p = 0; p < pixels; p++) batch[plane + p] = rgb[p * 3 + src] * s - o;
    }
  }
}
