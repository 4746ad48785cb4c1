import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { poolThumbnail } from '../descriptor/descriptor.reference';
import type { ModelManifest } from '../manifest/model-manifest.schema';
import { type ImageVariant, FEATURE_CACHE_DIR, cacheEntries, digest, floatsOf, tryRead, writeCacheEntry } from './cached-backbone-features';
import { extractorPreprocessing } from './extractor-preprocessing';

/** Images decoded at once. */
const CONCURRENCY = 4;

/**
 * Pooled thumbnails (`poolThumbnail`: the preprocessed model input average-pooled to
 * `size`×`size`, `3·size²` floats, channel-major) of `files`, optionally transformed
 * first, decoded and preprocessed by the serving path. Together with cached backbone
 * features they give a descriptor model's graph output without running the backbone
 * again (`composeDescriptorRows`). Cached per image under
 * `.cache/features/thumbnails/<input spec + size>/<variant>/`, keyed like the features.
 */
export async function cachedThumbnails(
  files: readonly string[],
  variant: ImageVariant,
  input: ModelManifest['input'],
  size: number,
  log: (line: string) => void,
): Promise<Float32Array> {
  const width = 3 * size * size;
  const dir = join(FEATURE_CACHE_DIR, 'thumbnails', digest({ input, size }), variant.name.replace(/[^A-Za-z0-9._-]/g, '_'));
  const out = new Float32Array(files.length * width);
  const missing: number[] = [];
  const entries = cacheEntries(dir, files);
  entries.forEach((entry, i) => {
    const bytes = tryRead(entry);
    if (bytes?.length === width * 4) out.set(floatsOf(bytes), i * width);
    else missing.push(i);
  });
  if (missing.length === 0) return out;
  mkdirSync(dir, { recursive: true });
  const preprocessing = extractorPreprocessing();
  const started = Date.now();
  let done = 0;
  const one = async (i: number) => {
    const raw = readFileSync(files[i]);
    const bytes = variant.transform === undefined ? raw : await variant.transform(raw);
    const tensor = new Float32Array(input.width * input.height * 3);
    preprocessing.write((await preprocessing.decode(bytes, input)).rgb, tensor, 0, input);
    const thumb = poolThumbnail(tensor, 0, input, size);
    out.set(thumb, i * width);
    writeCacheEntry(entries[i], Buffer.from(thumb.buffer, thumb.byteOffset, thumb.byteLength));
    if (++done % 500 === 0 || done === missing.length) log(`  thumbnails ${variant.name}: ${done}/${missing.length} decoded (${((done * 1000) / Math.max(1, Date.now() - started)).toFixed(1)} img/s)`);
  };
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(CONCURRENCY, missing.length) }, async () => {
      while (next < missing.length) await one(missing[next++]);
    }),
  );
  return out;
}
