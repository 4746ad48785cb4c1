/**
 * Centre crops whose dHashes are published beside the full-frame hash (`cropHashes`
 * of vector-extracted), largest first. A copy cropped by 5–20 % of width and height
 * hashes like one of these crops of its original, and an original like a crop of its
 * cropped copy, so dedupe can find crops through the same band index as resizes.
 */
export const CROP_HASH_SCALES: readonly number[] = [0.95, 0.9, 0.85, 0.8];

/** Cells per side of the fine hash: 16 × 16 = 256 bits (64 hex digits). */
export const FINE_HASH_SIZE = 16;

/** A rectangle of an image, in pixels. */
interface Region {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/**
 * 64-bit difference hash (dHash) of an RGB image, as 16 lower-case hex digits.
 * The image is reduced to a 9×8 grid of mean luma (BT.601 weights) over integer
 * cell bounds; bit i is 1 when a cell is brighter than its right neighbour, row by
 * row, most significant bit first. Near-identical images (re-encoding, resizing,
 * slight brightness shifts) give hashes a few bits apart; Hamming distance compares them.
 */
export function differenceHash(rgb: Uint8Array, width: number, height: number): string {
  return regionHash(lumaOf(rgb, width, height), width, { x: 0, y: 0, width, height }, 8);
}

/** Every hash the extractor publishes, from one luma pass: `differenceHash`, `centreCropHashes`, `fineHashes`. */
export function imageHashes(rgb: Uint8Array, width: number, height: number): { perceptualHash: string; cropHashes: string[]; fineHashes: string[] } {
  const luma = lumaOf(rgb, width, height);
  return {
    perceptualHash: regionHash(luma, width, { x: 0, y: 0, width, height }, 8),
    cropHashes: CROP_HASH_SCALES.map((scale) => regionHash(luma, width, centre(width, height, scale), 8)),
    fineHashes: [1, ...CROP_HASH_SCALES].map((scale) => regionHash(luma, width, centre(width, height, scale), FINE_HASH_SIZE)),
  };
}

/**
 * dHashes (as `differenceHash`) of the centre crops of the image at each of
 * `scales` (share of width and height kept, in (0, 1]), in the order given.
 */
export function centreCropHashes(rgb: Uint8Array, width: number, height: number, scales: readonly number[] = CROP_HASH_SCALES): string[] {
  const luma = lumaOf(rgb, width, height);
  return scales.map((scale) => regionHash(luma, width, centre(width, height, scale), 8));
}

/**
 * Fine dHashes: the same difference hash over a 17×16 grid (256 bits, 64 lower-case
 * hex digits) of the full frame, then of each centre crop of `scales`. Four times the
 * bits of the 64-bit hash see the garment, not only the backdrop: distinct garments
 * on one backdrop that collide in 64 bits are far apart in 256.
 */
export function fineHashes(rgb: Uint8Array, width: number, height: number, scales: readonly number[] = CROP_HASH_SCALES): string[] {
  const luma = lumaOf(rgb, width, height);
  return [1, ...scales].map((scale) => regionHash(luma, width, centre(width, height, scale), FINE_HASH_SIZE));
}

function centre(width: number, height: number, scale: number): Region {
  if (!(scale > 0 && scale <= 1)) throw new RangeError(`crop scale must be in (0, 1], got ${scale}`);
  const w = Math.max(1, Math.round(width * scale));
  const h = Math.max(1, Math.round(height * scale));
  return { x: Math.floor((width - w) / 2), y: Math.floor((height - h) / 2), width: w, height: h };
}

/** Per-pixel luma (BT.601 weights), computed exactly as the hash always summed it. */
function lumaOf(rgb: Uint8Array, width: number, height: number): Float64Array {
  if (rgb.length !== width * height * 3) throw new RangeError(`expected ${width * height * 3} RGB bytes, got ${rgb.length}`);
  const luma = new Float64Array(width * height);
  for (let i = 0, p = 0; i < luma.length; i++, p += 3) luma[i] = 0.299 * rgb[p] + 0.587 * rgb[p + 1] + 0.114 * rgb[p + 2];
  return luma;
}

/** dHash of a region over a (size+1) × size grid: size² bits, as size²/4 lower-case hex digits. */
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
