import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import { SharpImageDecoder } from './sharp-image.decoder';
import { imageHashes } from './perceptual-hash';
import { previousImageHashes } from './testing/previous-perceptual-hash.reference';
import { seededRandom } from '@stylestream/test-support';

/**
 * `imageHashes` decides most cell comparisons on exact integer sums (a summed-area table)
 * instead of summing float luma per cell. Stored hashes and dedupe decisions depend on the
 * values, so they must be bit-identical to the previous code on every kind of image:
 * decoded photos with flat backdrops (exact ties), noise, gradients, near-ties, odd sizes
 * and cells over the exact-path limit.
 */
const decoder = new SharpImageDecoder(50_000_000);
const MODEL_INPUT = { width: 224, height: 224, resize: 'stretch', interpolation: 'bilinear' } as const;


/** A product-photo-like image: a plain (often white) backdrop, one or two garment-like shapes, a soft shadow. */
async function productPhoto(seed: number, format: 'jpeg' | 'png'): Promise<Buffer> {
  const r = seededRandom(seed);
  const [w, h] = [300 + Math.floor(r() * 500), 300 + Math.floor(r() * 500)];
  const backdrop = r() < 0.6 ? '#ffffff' : `rgb(${200 + Math.floor(r() * 55)},${200 + Math.floor(r() * 55)},${200 + Math.floor(r() * 55)})`;
  const colour = () => `rgb(${Math.floor(r() * 256)},${Math.floor(r() * 256)},${Math.floor(r() * 256)})`;
  const shapes = [
    `<ellipse cx="${w / 2}" cy="${h * 0.9}" rx="${w * 0.3}" ry="${h * 0.04}" fill="#000" fill-opacity="0.15"/>`,
    `<rect x="${w * (0.2 + r() * 0.1)}" y="${h * (0.1 + r() * 0.1)}" width="${w * (0.4 + r() * 0.2)}" height="${h * (0.5 + r() * 0.2)}" rx="${w * 0.05}" fill="${colour()}"/>`,
    r() < 0.5 ? `<circle cx="${w * (0.3 + r() * 0.4)}" cy="${h * (0.3 + r() * 0.4)}" r="${Math.min(w, h) * (0.05 + r() * 0.15)}" fill="${colour()}"/>` : '',
  ];
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}"><rect width="100%" height="100%" fill="${backdrop}"/>${shapes.join('')}</svg>`;
  const image = sharp(Buffer.from(svg));
  return format === 'jpeg' ? image.jpeg({ quality: 60 + Math.floor(r() * 35) }).toBuffer() : image.png().toBuffer();
}

function noise(width: number, height: number, seed: number, levels = 256): Uint8Array {
  const r = seededRandom(seed);
  const rgb = new Uint8Array(width * height * 3);
  for (let i = 0; i < rgb.length; i++) rgb[i] = Math.floor(r() * levels) * Math.floor(255 / (levels - 1));
  return rgb;
}

function flat(width: number, height: number, value: [number, number, number]): Uint8Array {
  const rgb = new Uint8Array(width * height * 3);
  for (let p = 0; p < rgb.length; p += 3) rgb.set(value, p);
  return rgb;
}

/** A horizontal ramp that steps by one grey level every few columns: neighbouring cells differ by tiny, exact amounts. */
function ramp(width: number, height: number, step: number): Uint8Array {
  const rgb = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) rgb.fill(100 + Math.floor(x / step), (y * width + x) * 3, (y * width + x) * 3 + 3);
  return rgb;
}

/** Up to `n` photos of the shared clothing set, when it is there (the synthetic cases always run). */
function sharedPhotos(n: number): string[] {
  const dir = resolve(__dirname, '../../../../shared/data/clothing-small/validation');
  if (!existsSync(dir)) return [];
  const classes = readdirSync(dir).sort();
  const out: string[] = [];
  for (let i = 0; out.length < n && i < 50; i++) {
    for (const c of classes) {
      const files = readdirSync(join(dir, c)).filter((f) => f.endsWith('.jpg')).sort();
      if (i < files.length && out.length < n) out.push(join(dir, c, files[i]));
    }
  }
  return out;
}

describe('imageHashes is bit-identical to the previous implementation', () => {
  it('on decoded product-like photos (JPEG and PNG, flat and white backdrops) at the model size', async () => {
    let compared = 0;
    for (let seed = 1; seed <= 24; seed++) {
      const image = await decoder.prepare(await productPhoto(seed, seed % 3 === 0 ? 'png' : 'jpeg'), MODEL_INPUT);
      expect(imageHashes(image.rgb, image.width, image.height)).toEqual(previousImageHashes(image.rgb, image.width, image.height));
      compared++;
    }
    expect(compared).toBe(24);
  }, 180_000);

  it('on real photos of the shared clothing set, when present', async () => {
    for (const path of sharedPhotos(40)) {
      const image = await decoder.prepare(readFileSync(path), MODEL_INPUT);
      expect({ path, ...imageHashes(image.rgb, image.width, image.height) }).toEqual({ path, ...previousImageHashes(image.rgb, image.width, image.height) });
    }
  }, 180_000);

  it('on flat images (every comparison an exact tie), ramps (near-ties), noise and odd sizes', () => {
    const cases: [string, Uint8Array, number, number][] = [
      ['white 224', flat(224, 224, [255, 255, 255]), 224, 224],
      ['grey 224', flat(224, 224, [128, 128, 128]), 224, 224],
      ['tinted 97×61', flat(97, 61, [251, 249, 250]), 97, 61],
      ['ramp step 1', ramp(224, 224, 1), 224, 224],
      ['ramp step 7', ramp(224, 224, 7), 224, 224],
      ['ramp step 31, 150×90', ramp(150, 90, 31), 150, 90],
      ['noise 224', noise(224, 224, 3), 224, 224],
      ['two-level noise 224', noise(224, 224, 4, 2), 224, 224],
      ['noise 17×16', noise(17, 16, 5), 17, 16],
      ['noise 3×2 (cells of one pixel, repeated)', noise(3, 2, 6), 3, 2],
      ['noise 1×1', noise(1, 1, 7), 1, 1],
    ];
    for (const [name, rgb, w, h] of cases) expect({ name, ...imageHashes(rgb, w, h) }).toEqual({ name, ...previousImageHashes(rgb, w, h) });
  }, 60_000);

  it('with cells larger than the exact-path limit (float means, as before)', () => {
    const [w, h] = [641, 483];
    for (const rgb of [noise(w, h, w), ramp(w, h, 5), flat(w, h, [255, 255, 255])]) {
      expect(imageHashes(rgb, w, h)).toEqual(previousImageHashes(rgb, w, h));
    }
  }, 60_000);

  it('still refuses a pixel buffer of the wrong length', () => {
    expect(() => imageHashes(new Uint8Array(10), 2, 2)).toThrow(RangeError);
  });
});
