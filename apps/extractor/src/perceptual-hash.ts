/**
 * 64-bit difference hash (dHash) of an RGB image, as 16 lower-case hex digits.
 * The image is reduced to a 9×8 grid of mean luma (BT.601 weights) over integer
 * cell bounds; bit i is 1 when a cell is brighter than its right neighbour, row by
 * row, most significant bit first. Near-identical images (re-encoding, resizing,
 * slight brightness shifts) give hashes a few bits apart; Hamming distance compares them.
 */
export function differenceHash(rgb: Uint8Array, width: number, height: number): string {
  if (rgb.length !== width * height * 3) throw new RangeError(`expected ${width * height * 3} RGB bytes, got ${rgb.length}`);
  const cols = 9;
  const rows = 8;
  const grid = new Float64Array(cols * rows);
  for (let gy = 0; gy < rows; gy++) {
    const y0 = Math.floor((gy * height) / rows);
    const y1 = Math.max(y0 + 1, Math.floor(((gy + 1) * height) / rows));
    for (let gx = 0; gx < cols; gx++) {
      const x0 = Math.floor((gx * width) / cols);
      const x1 = Math.max(x0 + 1, Math.floor(((gx + 1) * width) / cols));
      let sum = 0;
      for (let y = y0; y < y1; y++) {
        for (let x = x0; x < x1; x++) {
          const p = (y * width + x) * 3;
          sum += 0.299 * rgb[p] + 0.587 * rgb[p + 1] + 0.114 * rgb[p + 2];
        }
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
  return hash.toString(16).padStart(16, '0');
}
