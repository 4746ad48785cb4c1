import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import sharp from 'sharp';
import type { ImageArrived } from '@stylestream/schemas';

/** What one source record is, and therefore where it must end up. */
export type EventKind = 'unique' | 'exact' | 'near' | 'bad' | 'tombstone';

/** One record to publish on image-arrived: a value, or null for a tombstone. */
export interface SourceEvent {
  readonly kind: EventKind;
  readonly id: string;
  readonly value: ImageArrived | null;
}

/**
 * The source of one run and what every store must hold afterwards, derived
 * from how the corpus was made (not from what the chain wrote):
 * - index: the unique images not taken down (exact and near copies are
 *   duplicates, bad files are dead-lettered);
 * - catalogue and analytics: every live image event (they sink image-arrived
 *   itself, bad files included), i.e. every id not taken down;
 * - dead letters: exactly the bad files.
 */
export interface ChaosCorpus {
  readonly events: SourceEvent[];
  readonly expectedIndexIds: Set<string>;
  readonly expectedLiveIds: Set<string>;
  readonly badIds: Set<string>;
  readonly counts: Record<EventKind, number>;
}

const CATEGORIES = ['dress', 'hat', 'pants', 'shirt', 'shoes', 'skirt'] as const;
const SIDE = 32;

/** mulberry32: a small seeded PRNG, so a run is reproducible from its seed. */
export function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Shares of a run of `total` records: 10 % exact copies (same bytes, new
 * URI), 10 % near copies (one pixel changed, re-encoded), 5 % tombstones (of
 * uniques that have no copies, so no verdict depends on which one the
 * take-down hits), 0.5 % (at least 2) corrupt files; the rest unique images.
 */
export function corpusShares(total: number): Record<EventKind, number> {
  const bad = Math.max(2, Math.round(total * 0.005));
  const exact = Math.round(total * 0.1);
  const near = Math.round(total * 0.1);
  const tombstone = Math.round(total * 0.05);
  const unique = total - bad - exact - near - tombstone;
  if (unique < tombstone + 2) throw new Error(`${total} events are too few for a corpus`);
  return { unique, exact, near, tombstone, bad };
}

/**
 * Writes the images of a run under `dir` (32x32 random-noise PNGs, every
 * fourth a JPEG: random pixels give pHashes far apart, so two uniques are never
 * near duplicates of each other; a near copy is a PNG original's decoded
 * pixels with one pixel changed by 6, so its dHash is at most 2 bits away) and builds the records, image events first in
 * a shuffled order with every copy after its original, tombstones last.
 * Corrupt files: truncated PNGs and text named `.png`.
 */
export async function buildCorpus(dir: string, total: number, seed: number, runTag: string): Promise<ChaosCorpus> {
  const counts = corpusShares(total);
  const random = prng(seed);
  mkdirSync(dir, { recursive: true });
  const now = Date.now();
  const event = (id: string, path: string, i: number): ImageArrived => ({
    imageId: id,
    uri: pathToFileURL(path).href,
    source: 'ecommerce',
    bloggerId: null,
    publishedAt: now,
    crawledAt: now,
    labels: { category: [CATEGORIES[i % CATEGORIES.length] ?? 'dress'], fabric: [], texture: [], process: [], accessory: [], style: [], silhouette: [], collar: [], color: [] },
    title: null,
    contentSha256: null,
    attributes: { chaosRun: runTag },
  });

  const uniques: { id: string; path: string; raw: Buffer; jpeg: boolean }[] = [];
  for (let i = 0; i < counts.unique; i++) {
    const raw = Buffer.alloc(SIDE * SIDE * 3);
    for (let b = 0; b < raw.length; b++) raw[b] = Math.floor(random() * 256);
    const jpeg = i % 4 === 3;
    const path = join(dir, `u-${i}.${jpeg ? 'jpg' : 'png'}`);
    const image = sharp(raw, { raw: { width: SIDE, height: SIDE, channels: 3 } });
    const encoded = jpeg ? await image.jpeg({ quality: 95 }).toBuffer() : await image.png().toBuffer();
    writeFileSync(path, encoded);
    // A JPEG's decoded pixels are not the noise it was made from (q95 on noise moves every pixel): near copies start from what a reader decodes.
    uniques.push({ id: `${runTag}-u-${i}`, path, raw: jpeg ? await sharp(encoded).raw().toBuffer() : raw, jpeg });
  }
  // Copies come from the first half of the uniques; tombstones from the last uniques, which have none.
  const copySources = Math.max(1, Math.floor(counts.unique / 2));
  const first: SourceEvent[] = uniques.map((u, i) => ({ kind: 'unique', id: u.id, value: event(u.id, u.path, i) }));
  shuffle(first, random);
  const copies: SourceEvent[] = [];
  for (let i = 0; i < counts.exact; i++) {
    const source = uniques[Math.floor(random() * copySources)] ?? uniques[0];
    const id = `${runTag}-x-${i}`;
    const path = join(dir, `x-${i}.${source.jpeg ? 'jpg' : 'png'}`);
    copyFileSync(source.path, path);
    copies.push({ kind: 'exact', id, value: event(id, path, i) });
  }
  // Near copies only of PNG originals: a JPEG original read at a model input smaller than the image takes libjpeg's
  // shrink-on-load path, its PNG copy a resize kernel, and the two small images hash bits apart (seen with the 8×8 test model).
  const nearSources = uniques.slice(0, copySources).filter((u) => !u.jpeg);
  for (let i = 0; i < counts.near; i++) {
    const source = nearSources[Math.floor(random() * nearSources.length)] ?? uniques[0];
    const raw = Buffer.from(source.raw);
    const at = Math.floor(random() * SIDE * SIDE) * 3;
    raw[at] = (raw[at] ?? 0) > 127 ? (raw[at] ?? 0) - 6 : (raw[at] ?? 0) + 6;
    const id = `${runTag}-n-${i}`;
    const path = join(dir, `n-${i}.png`);
    writeFileSync(path, await sharp(raw, { raw: { width: SIDE, height: SIDE, channels: 3 } }).png().toBuffer());
    copies.push({ kind: 'near', id, value: event(id, path, i) });
  }
  const badIds = new Set<string>();
  for (let i = 0; i < counts.bad; i++) {
    const id = `${runTag}-bad-${i}`;
    const path = join(dir, `bad-${i}.png`);
    const original = uniques[i % uniques.length];
    // Half truncated PNGs (decode fails), half text named .png (not an image).
    writeFileSync(path, i % 2 === 0 ? (await sharp(original.raw, { raw: { width: SIDE, height: SIDE, channels: 3 } }).png().toBuffer()).subarray(0, 60) : 'not an image at all\n');
    copies.push({ kind: 'bad', id, value: event(id, path, i) });
    badIds.add(id);
  }
  shuffle(copies, random);
  const tombstones: SourceEvent[] = uniques.slice(counts.unique - counts.tombstone).map((u) => ({ kind: 'tombstone', id: u.id, value: null }));

  const deleted = new Set(tombstones.map((t) => t.id));
  const expectedIndexIds = new Set(uniques.map((u) => u.id).filter((id) => !deleted.has(id)));
  const expectedLiveIds = new Set([...first, ...copies].map((e) => e.id).filter((id) => !deleted.has(id)));
  return { events: [...first, ...copies, ...tombstones], expectedIndexIds, expectedLiveIds, badIds, counts };
}

function shuffle<T>(items: T[], random: () => number): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const a = items[i];
    items[i] = items[j]!;
    items[j] = a;
  }
}
