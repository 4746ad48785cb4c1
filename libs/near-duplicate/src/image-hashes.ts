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
  return regionHash(new LumaTable(rgb, width, height), { x: 0, y: 0, width, height }, 8);
}

/** Every hash the extractor publishes, from one pass over the pixels: `differenceHash`, `centreCropHashes`, `fineHashes`. */
export function imageHashes(rgb: Uint8Array, width: number, height: number): { perceptualHash: string; cropHashes: string[]; fineHashes: string[] } {
  const luma = new LumaTable(rgb, width, height);
  return {
    perceptualHash: regionHash(luma, { x: 0, y: 0, width, height }, 8),
    cropHashes: CROP_HASH_SCALES.map((scale) => regionHash(luma, centre(width, height, scale), 8)),
    fineHashes: [1, ...CROP_HASH_SCALES].map((scale) => regionHash(luma, centre(width, height, scale), FINE_HASH_SIZE)),
  };
}

/**
 * dHashes (as `differenceHash`) of the centre crops of the image at each of
 * `scales` (share of width and height kept, in (0, 1]), in the order given.
 */
export function centreCropHashes(rgb: Uint8Array, width: number, height: number, scales: readonly number[] = CROP_HASH_SCALES): string[] {
  const luma = new LumaTable(rgb, width, height);
  return scales.map((scale) => regionHash(luma, centre(width, height, scale), 8));
}

/**
 * Fine dHashes: the same difference hash over a 17×16 grid (256 bits, 64 lower-case
 * hex digits) of the full frame, then of each centre crop of `scales`. Four times the
 * bits of the 64-bit hash see the garment, not only the backdrop: distinct garments
 * on one backdrop that collide in 64 bits are far apart in 256.
 */
export function fineHashes(rgb: Uint8Array, width: number, height: number, scales: readonly number[] = CROP_HASH_SCALES): string[] {
  const luma = new LumaTable(rgb, width, height);
  return [1, ...scales].map((scale) => regionHash(luma, centre(width, height, scale), FINE_HASH_SIZE));
}

function centre(width: number, height: number, scale: number): Region {
  if (!(scale > 0 && scale <= 1)) throw new RangeError(`crop scale must be in (0, 1], got ${scale}`);
  const w = Math.max(1, Math.round(width * scale));
  const h = Math.max(1, Math.round(height * scale));
  return { x: Math.floor((width - w) / 2), y: Math.floor((height - h) / 2), width: w, height: h };
}

/**
 * Largest cell (pixels) whose comparison is decided on exact integer sums. The hashes are
 * defined on float arithmetic: per-pixel luma `0.299·r + 0.587·g + 0.114·b` in float64,
 * summed pixel by pixel in row order, divided by the cell's pixel count. A cell mean
 * computed that way is within n·u·256 + 2e-13 of the exact mean (u = 2^-53, n pixels,
 * luma ≤ 255: the recursive-summation bound), i.e. within 3.2e-11 for n ≤ 1024, while two
 * exact means that differ, (A/1000)/nA and (B/1000)/nB with integer A and B, differ by at
 * least 1/(1000·nA·nB) ≥ 9.5e-10. So whenever the exact means differ, the float comparison
 * gives the exact comparison's answer; only exact ties (flat backdrops) and larger cells
 * need the float means themselves, and those are computed as they always were.
 */
const EXACT_CELL_PIXELS = 1024;

const HEX = '0123456789abcdef';

/**
 * Luma of an RGB image as a summed-area table of exact integers (299·r + 587·g + 114·b,
 * 1000 × BT.601 luma): any rectangle's sum in four reads. It also gives a rectangle's
 * float mean computed exactly as the hashes were defined (for ties and large cells).
 */
class LumaTable {
  private readonly sums: Float64Array;
  private readonly stride: number;

  constructor(
    private readonly rgb: Uint8Array,
    private readonly width: number,
    height: number,
  ) {
    if (rgb.length !== width * height * 3) throw new RangeError(`expected ${width * height * 3} RGB bytes, got ${rgb.length}`);
    // Sums stay exact integers in float64 up to 2^53 / 255000 ≈ 35 G pixels.
    const stride = width + 1;
    const sums = new Float64Array(stride * (height + 1));
    for (let y = 0, p = 0; y < height; y++) {
      let row = 0;
      const above = y * stride;
      const here = above + stride;
      for (let x = 0; x < width; x++, p += 3) {
        row += 299 * rgb[p] + 587 * rgb[p + 1] + 114 * rgb[p + 2];
        sums[here + x + 1] = sums[above + x + 1] + row;
      }
    }
    this.sums = sums;
    this.stride = stride;
  }

  /** Exact sum of 1000 × luma over [x0, x1) × [y0, y1). */
  sum(x0: number, y0: number, x1: number, y1: number): number {
    const s = this.sums;
    const w = this.stride;
    return s[y1 * w + x1] - s[y0 * w + x1] - s[y1 * w + x0] + s[y0 * w + x0];
  }

  /** Mean float luma over [x0, x1) × [y0, y1), pixel by pixel in row order: the hashes' defining arithmetic. */
  floatMean(x0: number, y0: number, x1: number, y1: number): number {
    const { rgb, width } = this;
    let sum = 0;
    for (let y = y0; y < y1; y++) {
      for (let x = x0, p = (y * width + x0) * 3; x < x1; x++, p += 3) sum += 0.299 * rgb[p] + 0.587 * rgb[p + 1] + 0.114 * rgb[p + 2];
    }
    return sum / ((y1 - y0) * (x1 - x0));
  }
}

/**
 * dHash of a region over a (size+1) × size grid: size² bits (bit = the cell's mean luma
 * is above its right neighbour's, row by row, most significant first), as size²/4
 * lower-case hex digits (size even).
 */
function regionHash(luma: LumaTable, region: Region, size: number): string {
  const cols = size + 1;
  const rows = size;
  // Cell bounds, cut as the grid always was (a cell is at least one pixel).
  const xs0 = new Int32Array(cols);
  const xs1 = new Int32Array(cols);
  for (let gx = 0; gx < cols; gx++) {
    xs0[gx] = region.x + Math.floor((gx * region.width) / cols);
    xs1[gx] = Math.max(xs0[gx] + 1, region.x + Math.floor(((gx + 1) * region.width) / cols));
  }
  const sums = new Float64Array(cols);
  const counts = new Float64Array(cols);
  const means = new Float64Array(cols);
  let hex = '';
  let nibble = 0;
  let bits = 0;
  for (let gy = 0; gy < rows; gy++) {
    const y0 = region.y + Math.floor((gy * region.height) / rows);
    const y1 = Math.max(y0 + 1, region.y + Math.floor(((gy + 1) * region.height) / rows));
    for (let gx = 0; gx < cols; gx++) {
      sums[gx] = luma.sum(xs0[gx], y0, xs1[gx], y1);
      counts[gx] = (xs1[gx] - xs0[gx]) * (y1 - y0);
      means[gx] = NaN;
    }
    for (let gx = 0; gx < cols - 1; gx++) {
      const cross = sums[gx] * counts[gx + 1] - sums[gx + 1] * counts[gx];
      let brighter: boolean;
      if (cross !== 0 && counts[gx] <= EXACT_CELL_PIXELS && counts[gx + 1] <= EXACT_CELL_PIXELS) {
        brighter = cross > 0;
      } else {
        if (Number.isNaN(means[gx])) means[gx] = luma.floatMean(xs0[gx], y0, xs1[gx], y1);
        if (Number.isNaN(means[gx + 1])) means[gx + 1] = luma.floatMean(xs0[gx + 1], y0, xs1[gx + 1], y1);
        brighter = means[gx] > means[gx + 1];
      }
      nibble = (nibble << 1) | (brighter ? 1 : 0);
      if (++bits === 4) {
        hex += HEX[nibble];
        nibble = 0;
        bits = 0;
      }
    }
  }
  return hex;
}
