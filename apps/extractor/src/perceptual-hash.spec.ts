import { hammingDistance, parsePerceptualHash } from '@stylestream/schemas';
import { CROP_HASH_SCALES, centreCropHashes, differenceHash, fineHashes, imageHashes } from './perceptual-hash';

/** A smooth, seeded RGB test image (sums of low-frequency waves), so hashes are stable under resampling. */
function scene(width: number, height: number, seed: number): Uint8Array {
  const rgb = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const u = x / width;
      const v = y / height;
      const l = 128 + 50 * Math.sin(6.1 * u * (1 + seed) + 2.3 * v) + 40 * Math.cos(7.7 * v * (2 - seed / 3) + 5.1 * u * u) + 25 * Math.sin(17 * u * v + seed);
      const p = (y * width + x) * 3;
      const value = Math.max(0, Math.min(255, Math.round(l)));
      rgb.fill(value, p, p + 3);
    }
  }
  return rgb;
}

/** Centre crop keeping `scale` of each side, resized back to width × height by area averaging (what a cropped copy looks like once decoded to the model size). */
function cropAndResize(rgb: Uint8Array, width: number, height: number, scale: number): Uint8Array {
  const cw = Math.round(width * scale);
  const ch = Math.round(height * scale);
  const x0 = Math.floor((width - cw) / 2);
  const y0 = Math.floor((height - ch) / 2);
  const out = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const sx = x0 + Math.min(cw - 1, Math.floor(((x + 0.5) * cw) / width));
      const sy = y0 + Math.min(ch - 1, Math.floor(((y + 0.5) * ch) / height));
      for (let c = 0; c < 3; c++) out[(y * width + x) * 3 + c] = rgb[(sy * width + sx) * 3 + c];
    }
  }
  return out;
}

const distance = (a: string, b: string): number => hammingDistance(parsePerceptualHash(a), parsePerceptualHash(b));

describe('perceptual hashes', () => {
  it('dHash: 16 lower-case hex digits, deterministic, and a full-frame "crop" equals it', () => {
    const rgb = scene(96, 80, 1);
    const h = differenceHash(rgb, 96, 80);
    expect(h).toMatch(/^[0-9a-f]{16}$/);
    expect(differenceHash(rgb, 96, 80)).toBe(h);
    expect(centreCropHashes(rgb, 96, 80, [1])).toEqual([h]);
    expect(imageHashes(rgb, 96, 80)).toEqual({ perceptualHash: h, cropHashes: centreCropHashes(rgb, 96, 80), fineHashes: fineHashes(rgb, 96, 80) });
    expect(() => differenceHash(rgb, 95, 80)).toThrow(RangeError);
    expect(() => centreCropHashes(rgb, 96, 80, [0])).toThrow(RangeError);
  });

  it('a 10 % centre crop of an image hashes like the original\'s 90 % crop hash, not like its full frame', () => {
    const [w, h] = [224, 224];
    let toCrop = 0;
    let toFull = 0;
    for (const seed of [1, 2, 3]) {
      const original = scene(w, h, seed);
      const crops = centreCropHashes(original, w, h);
      expect(crops).toHaveLength(CROP_HASH_SCALES.length);
      const copy = differenceHash(cropAndResize(original, w, h, 0.9), w, h);
      const at90 = crops[CROP_HASH_SCALES.indexOf(0.9)];
      expect(distance(copy, at90)).toBeLessThanOrEqual(3);
      toCrop += distance(copy, at90);
      toFull += distance(copy, differenceHash(original, w, h));
    }
    expect(toCrop).toBeLessThan(toFull);
  });

  it('fine hashes: 64 hex digits for the full frame then each crop; a crop copy is close to the matching crop, far from other images', () => {
    const [w, h] = [224, 224];
    const original = scene(w, h, 1);
    const fine = fineHashes(original, w, h);
    expect(fine).toHaveLength(1 + CROP_HASH_SCALES.length);
    for (const f of fine) expect(f).toMatch(/^[0-9a-f]{64}$/);
    const bits = (a: string, b: string): number => {
      let d = 0;
      for (let i = 0; i < 64; i++) d += [...(parseInt(a[i], 16) ^ parseInt(b[i], 16)).toString(2)].filter((c) => c === '1').length;
      return d;
    };
    const copy = fineHashes(cropAndResize(original, w, h, 0.9), w, h)[0];
    const at90 = fine[1 + CROP_HASH_SCALES.indexOf(0.9)];
    const other = fineHashes(scene(w, h, 3), w, h)[0];
    expect(bits(copy, at90)).toBeLessThanOrEqual(24);
    expect(bits(copy, at90)).toBeLessThan(bits(copy, other));
  });
});
