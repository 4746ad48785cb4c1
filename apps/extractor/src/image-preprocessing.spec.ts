import sharp from 'sharp';
import type { ModelManifest } from '@stylestream/model';
import { writeImageIntoBatch } from './image-tensor';
import { hammingDistance, parsePerceptualHash } from '@stylestream/schemas';
import { differenceHash } from './perceptual-hash';
import { SharpImageDecoder } from './sharp-image.decoder';

const input: ModelManifest['input'] = { name: 'input', layout: 'NHWC', width: 2, height: 1, channels: 3, colourOrder: 'RGB', resize: 'stretch', interpolation: 'bilinear', pixelScale: 1 / 255, mean: [0, 0, 0], std: [1, 1, 1] };
const target = { width: 32, height: 32, resize: 'stretch', interpolation: 'bilinear' } as const;
const errorOf = async (p: Promise<unknown>): Promise<unknown> => p.then(() => undefined, (err: unknown) => err);

/** A w×h RGB gradient with a dark disc, shifted by `shift` (0 = original). */
function scene(w: number, h: number, shift = 0, flip = false): Uint8Array {
  const rgb = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const xx = flip ? w - 1 - x : x;
      const inDisc = (xx - w / 3) ** 2 + (y - h / 2) ** 2 < (h / 4) ** 2;
      const v = inDisc ? 30 : Math.round((xx / w) * 200 + (y / h) * 50);
      rgb.set([Math.min(255, v + shift), Math.min(255, v + shift), Math.min(255, v / 2 + shift)], (y * w + x) * 3);
    }
  }
  return rgb;
}
const png = (rgb: Uint8Array, w: number, h: number) => sharp(Buffer.from(rgb), { raw: { width: w, height: h, channels: 3 } }).png().toBuffer();

describe('writeImageIntoBatch', () => {
  const rgb = new Uint8Array([255, 0, 51, 0, 102, 255]);
  it('writes NHWC RGB scaled by pixelScale into the right slot', () => {
    const batch = new Float32Array(12);
    writeImageIntoBatch(rgb, batch, 1, input);
    expect(Array.from(batch.subarray(0, 6))).toEqual([0, 0, 0, 0, 0, 0]);
    expect(Array.from(batch.subarray(6)).map((v) => +v.toFixed(3))).toEqual([1, 0, 0.2, 0, 0.4, 1]);
  });
  it('writes NCHW planes, BGR order and mean/std', () => {
    const batch = new Float32Array(6);
    writeImageIntoBatch(rgb, batch, 0, { ...input, layout: 'NCHW', colourOrder: 'BGR', pixelScale: 1, mean: [0, 2, 1], std: [1, 2, 1] });
    // planes: B (from channel 2), G (mean 2, std 2), R
    expect(Array.from(batch)).toEqual([50, 254, -1, 50, 255, 0]);
  });
  it('refuses a buffer of the wrong size', () => {
    expect(() => writeImageIntoBatch(new Uint8Array(3), new Float32Array(6), 0, input)).toThrow(RangeError);
  });
});

const bitsApart = (a: string, b: string): number => hammingDistance(parsePerceptualHash(a), parsePerceptualHash(b));

describe('differenceHash', () => {
  it('is 16 hex digits, stable under small brightness shifts and resizing, different for other images', async () => {
    const base = differenceHash(scene(224, 224), 224, 224);
    expect(base).toMatch(/^[0-9a-f]{16}$/);
    expect(bitsApart(base, differenceHash(scene(224, 224, 6), 224, 224))).toBeLessThanOrEqual(4);
    const decoder = new SharpImageDecoder(1e7);
    const small = await decoder.prepare(await png(scene(224, 224), 224, 224), { ...target, width: 224, height: 224 });
    const resized = await decoder.prepare(await png(scene(112, 112), 112, 112), { ...target, width: 224, height: 224 });
    expect(bitsApart(differenceHash(small.rgb, 224, 224), differenceHash(resized.rgb, 224, 224))).toBeLessThanOrEqual(6);
    expect(bitsApart(base, differenceHash(scene(224, 224, 0, true), 224, 224))).toBeGreaterThan(16);
  });
});

describe('SharpImageDecoder', () => {
  const decoder = new SharpImageDecoder(1_000_000);
  it('decodes grey, alpha and CMYK images to 3-channel sRGB of the target size', async () => {
    const grey = await sharp({ create: { width: 40, height: 20, channels: 3, background: { r: 90, g: 90, b: 90 } } }).greyscale().png().toBuffer();
    const alpha = await sharp({ create: { width: 20, height: 20, channels: 4, background: { r: 255, g: 0, b: 0, alpha: 0 } } }).png().toBuffer();
    const cmyk = await sharp({ create: { width: 20, height: 20, channels: 3, background: { r: 0, g: 0, b: 255 } } }).toColourspace('cmyk').jpeg().toBuffer();
    for (const bytes of [grey, alpha, cmyk]) {
      const out = await decoder.prepare(bytes, target);
      expect(out.rgb.length).toBe(32 * 32 * 3);
    }
    expect((await decoder.prepare(grey, target)).rgb.subarray(0, 3)).toEqual(new Uint8Array([90, 90, 90]));
    expect(Array.from((await decoder.prepare(alpha, target)).rgb.subarray(0, 3))).toEqual([255, 255, 255]); // transparent -> white
    const blue = Array.from((await decoder.prepare(cmyk, target)).rgb.subarray(0, 3));
    expect(blue[2]).toBeGreaterThan(blue[0] + 50); // still blue after sRGB -> CMYK -> sRGB (CMYK's gamut is smaller)
    expect(blue[2]).toBeGreaterThan(blue[1] + 50);
  });

  it('applies EXIF orientation and reports the oriented source size', async () => {
    const left = await sharp({ create: { width: 40, height: 20, channels: 3, background: { r: 0, g: 0, b: 0 } } })
      .composite([{ input: { create: { width: 20, height: 20, channels: 3, background: { r: 255, g: 255, b: 255 } } }, left: 0, top: 0 }])
      .jpeg()
      .withMetadata({ orientation: 6 }) // rotate 90° clockwise on display
      .toBuffer();
    const out = await decoder.prepare(left, target);
    expect([out.sourceWidth, out.sourceHeight]).toEqual([20, 40]);
    // stored: white left half; displayed (90° clockwise): white top half. Unrotated, bottom-left would be white.
    expect(out.rgb[0]).toBeGreaterThan(200);
    expect(out.rgb[31 * 32 * 3]).toBeLessThan(40);
  });

  it('refuses text, empty, truncated and over-limit images with their own codes', async () => {
    const jpeg = await sharp({ create: { width: 64, height: 64, channels: 3, background: { r: 10, g: 200, b: 30 } } }).jpeg().toBuffer();
    expect(await errorOf(decoder.prepare(Buffer.from('hello, not an image'), target))).toMatchObject({ code: 'IMAGE_FORMAT_UNSUPPORTED' });
    expect(await errorOf(decoder.prepare(jpeg.subarray(0, Math.floor(jpeg.length / 2)), target))).toMatchObject({ code: 'IMAGE_DECODE_FAILED' });
    const big = await sharp({ create: { width: 2000, height: 1000, channels: 3, background: { r: 0, g: 0, b: 0 } } }).png().toBuffer();
    expect(await errorOf(decoder.prepare(big, target))).toMatchObject({ code: 'IMAGE_PIXELS_OVER_LIMIT', retriable: false });
  });
});
