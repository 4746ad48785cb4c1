import { encodeRgbPng } from './synthetic-images';

/** The ten clothing classes of the generated set (the same names as the clothing-small data set). */
export const SYNTHETIC_CLASSES = ['dress', 'hat', 'longsleeve', 'outwear', 'pants', 'shirt', 'shoes', 'shorts', 'skirt', 't-shirt'] as const;

export const PATTERN_KINDS = ['stripes-horizontal', 'stripes-vertical', 'stripes-diagonal', 'checks', 'gradient-linear', 'gradient-radial'] as const;
export type PatternKind = (typeof PATTERN_KINDS)[number];

export interface SyntheticImageSetOptions {
  /** Files in the set, duplicates included. */
  count: number;
  /** Same seed (and options) → byte-identical set. */
  seed: number;
  /** Share of `count` (0..1) that are exact byte copies of an earlier image under another name. */
  duplicateShare: number;
  /** Side lengths are drawn from [minSize, maxSize] pixels, each side on its own. */
  minSize?: number;
  maxSize?: number;
}

/** One file of the set, in generation order; `path` is `<class>/<class>-<nnnn>.png`. */
export type SyntheticImage =
  | { kind: 'unique'; path: string; category: string; pattern: PatternKind; width: number; height: number; bytes: Buffer }
  | { kind: 'duplicate'; path: string; category: string; duplicateOf: string };

/** mulberry32: a tiny seeded PRNG; returns floats in [0, 1). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** How many of `count` files are duplicates: the share rounded, and never the first file. */
export function duplicateCount(count: number, duplicateShare: number): number {
  if (!(duplicateShare >= 0 && duplicateShare < 1)) throw new RangeError('duplicateShare must be in [0, 1)');
  return Math.min(Math.round(count * duplicateShare), Math.max(count - 1, 0));
}

/**
 * The labelled set, one image at a time (only duplicates' sources are named,
 * never re-encoded). Unique images cycle through the classes, so class counts
 * differ by at most one before duplicates; a duplicate stays in its source's
 * class. Each unique image has its own PRNG stream derived from (seed, index),
 * so its pixels do not depend on the choices made for other files.
 */
export function* syntheticImageSet(options: SyntheticImageSetOptions): Generator<SyntheticImage> {
  const { count, seed } = options;
  if (!Number.isInteger(count) || count < 0) throw new RangeError('count must be a whole number >= 0');
  const minSize = options.minSize ?? 64;
  const maxSize = options.maxSize ?? 256;
  if (!(Number.isInteger(minSize) && Number.isInteger(maxSize) && minSize >= 1 && maxSize >= minSize)) throw new RangeError('need 1 <= minSize <= maxSize');

  const random = seededRandom(seed);
  const duplicateAt = pickDuplicatePositions(count, duplicateCount(count, options.duplicateShare), random);
  const perClass = new Map<string, number>();
  const uniques: { path: string; category: string }[] = [];
  const nextPath = (category: string): string => {
    const n = (perClass.get(category) ?? 0) + 1;
    perClass.set(category, n);
    return `${category}/${category}-${String(n).padStart(4, '0')}.png`;
  };

  for (let i = 0; i < count; i++) {
    if (duplicateAt.has(i)) {
      const source = uniques[Math.floor(random() * uniques.length)];
      yield { kind: 'duplicate', path: nextPath(source.category), category: source.category, duplicateOf: source.path };
      continue;
    }
    const classIndex = uniques.length % SYNTHETIC_CLASSES.length;
    const category = SYNTHETIC_CLASSES[classIndex] as string;
    const path = nextPath(category);
    uniques.push({ path, category });
    yield { kind: 'unique', path, category, ...renderPatternImage(seededRandom(mixSeed(seed, uniques.length)), classIndex, minSize, maxSize) };
  }
}

function pickDuplicatePositions(count: number, duplicates: number, random: () => number): Set<number> {
  const positions = Array.from({ length: Math.max(count - 1, 0) }, (_, i) => i + 1); // index 0 is always unique
  for (let i = 0; i < duplicates; i++) {
    const j = i + Math.floor(random() * (positions.length - i));
    [positions[i], positions[j]] = [positions[j], positions[i]];
  }
  return new Set(positions.slice(0, duplicates));
}

function mixSeed(seed: number, index: number): number {
  return (Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(index, 0xc2b2ae35)) >>> 0;
}

type Rgb = readonly [number, number, number];

/** HSV (h in degrees, s and v in 0..1) → 8-bit RGB. */
function hsv(h: number, s: number, v: number): Rgb {
  const f = (n: number): number => {
    const k = (n + h / 60) % 6;
    return Math.round(255 * (v - v * s * Math.max(0, Math.min(k, 4 - k, 1))));
  };
  return [f(5), f(3), f(1)];
}

/**
 * One pattern image: the class sets the base hue (36° apart, ±12° jitter), the
 * PRNG the pattern, its period/direction, the second colour and the size.
 */
function renderPatternImage(random: () => number, classIndex: number, minSize: number, maxSize: number) {
  const between = (lo: number, hi: number): number => lo + random() * (hi - lo);
  const width = Math.floor(between(minSize, maxSize + 1));
  const height = Math.floor(between(minSize, maxSize + 1));
  const pattern = PATTERN_KINDS[Math.floor(random() * PATTERN_KINDS.length)];
  const hue = (classIndex * 36 + between(-12, 12) + 360) % 360;
  const a = hsv(hue, between(0.5, 1), between(0.55, 1));
  const b = hsv((hue + between(90, 270)) % 360, between(0.1, 0.9), between(0.15, 0.95));
  const period = Math.floor(between(4, 33));
  const angle = between(0, Math.PI);
  const [cx, cy] = [between(0, width), between(0, height)];
  const reach = Math.hypot(Math.max(cx, width - cx), Math.max(cy, height - cy));

  // Weight of colour b at (x, y), in 0..1. Plain arithmetic in the pixel loop: it runs up to 65,536 times per image.
  const cos = Math.cos(angle) / Math.hypot(width, height);
  const sin = Math.sin(angle) / Math.hypot(width, height);
  const sqrt = Math.sqrt;
  const weight = (x: number, y: number): number => {
    switch (pattern) {
      case 'stripes-horizontal':
        return ((y / period) | 0) & 1;
      case 'stripes-vertical':
        return ((x / period) | 0) & 1;
      case 'stripes-diagonal':
        return (((x + y) / period) | 0) & 1;
      case 'checks':
        return (((x / period) | 0) + ((y / period) | 0)) & 1;
      case 'gradient-linear':
        return (x - width / 2) * cos + (y - height / 2) * sin + 0.5;
      case 'gradient-radial':
        return sqrt((x - cx) * (x - cx) + (y - cy) * (y - cy)) / reach;
    }
  };

  const rgb = new Uint8Array(width * height * 3); // Uint8Array stores truncate: + 0.5 rounds
  const [ar, ag, ab] = a;
  const [dr, dg, db] = [b[0] - a[0], b[1] - a[1], b[2] - a[2]];
  for (let y = 0, i = 0; y < height; y++) {
    for (let x = 0; x < width; x++, i += 3) {
      let w = weight(x, y);
      w = w < 0 ? 0 : w > 1 ? 1 : w;
      rgb[i] = ar + dr * w + 0.5;
      rgb[i + 1] = ag + dg * w + 0.5;
      rgb[i + 2] = ab + db * w + 0.5;
    }
  }
  return { pattern, width, height, bytes: encodeRgbPng(width, height, rgb) };
}
