import { CROP_HASH_SCALES, FINE_HASH_SIZE } from '../perceptual-hash';

/**
 * The extractor's hashes as first implemented (per-pixel float luma, then every grid
 * cell summed pixel by pixel in row order), kept unchanged as the reference the faster
 * `imageHashes` must match bit for bit: stored hashes and dedupe decisions depend on them.
 * Test code only.
 */
export function previousImageHashes(rgb: Uint8Array, width: number, height: number): { perceptualHash: string; cropHashes: string[]; fineHashes: string[] } {
  const luma = lumaOf(rgb, width, height);
  return {
    perceptualHash: regionHash(luma, width, { x: 0, y: 0, width, height }, 8),
    cropHashes: CROP_HASH_SCALES.map((scale) => regionHash(luma, width, centre(width, height, scale), 8)),
    fineHashes: [1, ...CROP_HASH_SCALES].map((scale) => regionHash(luma, width, centre(width, height, scale), FINE_HASH_SIZE)),
  };
}

interface Region {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

function centre(width: number, height: number, scale: number): Region {
  const w = Math.max(1, Math.round(width * scale));
  const h = Math.max(1, Math.round(height * scale));
  return { x: Math.floor((width - w) / 2), y: Math.floor((height - h) / 2), width: w, height: h };
}

function lumaOf(rgb: Uint8Array, width: number, height: number): Float64Array {
  const luma = new Float64Array(width * height);
  for (let i = 0, p = 0; i < luma.length; i++, p += 3) luma[i] = 0.299 * rgb[p] + 0.587 * rgb[p + 1] + 0.114 * rgb[p + 2];
  return luma;
}

function regionHash(luma: Float64Array, stride: number, region: Region, size: number): string {
  const cols = size + 1;
  const rows = size;
  const grid = new Float64Array(cols * rows);
  for (let gy = 0; gy < rows; gy++) {
    const y0 = region.y + Math.floor((gy * region.height) / rows);
    const y1 = Math.max(y0 + 1, region.y + Math.floor(((gy + 1) * region.height) / rows));
    for (let gx = 0; gx < cols; gx++) {
      const x0 = region.x + Math.floor((gx * region.width) / cols);
      const x1 = Math.max(x0 + 1, region.x + Math.floor(((gx + 1) * region.width) / cols));
      let sum = 0;
      for (let y = y0; y < y1; y++) {
        for (let x = x0; x < x1; x++) sum += luma[y * stride + x];
      }
      grid[gy * cols + gx] = sum / ((y1 - y0) * (x1 - x0));
    }
  }
  let hash = 0n;
  for (let gy = 0; gy < rows; gy++) {
    for (let gx = 0; gx < cols - 1; gx++) {
      hash = (hash << 1n) | (grid[gy * cols + gx] > grid[gy * cols + gx + 1] ? 1n : 0n);
    }
  }
  return hash.toString(16).padStart((size * size) / 4, '0');
}
