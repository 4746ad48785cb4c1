import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ModelManifest } from '@stylestream/model';
import { CROP_HASH_SCALES, FINE_HASH_SIZE, centreCropHashes, differenceHash, fineHashes } from '../../apps/extractor/src/perceptual-hash';
import { FEATURE_CACHE_DIR, type ImageVariant } from '../../libs/model/src/cli/cached-backbone-features';
import { extractorPreprocessing } from '../../libs/model/src/cli/extractor-preprocessing';

/** The extractor's hashes of one image: full-frame dHash, centre-crop dHashes, fine (256-bit) hashes. */
export interface ImageHashes {
  readonly perceptualHash: string;
  readonly cropHashes: string[];
  readonly fineHashes: string[];
}

/**
 * The hashes the extractor publishes for each of `files` (optionally transformed
 * first), computed on the model-sized pixels of the serving decoder, like the
 * extractor. Cached in one JSON file per variant under
 * `.cache/features/crop-hashes/<key>/`, the key covering the model input spec and the
 * crop scales, entries keyed by absolute path, size and mtime.
 */
export async function cachedImageHashes(input: ModelManifest['input'], files: readonly string[], variant: ImageVariant, log: (line: string) => void): Promise<ImageHashes[]> {
  const dir = join(FEATURE_CACHE_DIR, 'crop-hashes', digest({ input, scales: CROP_HASH_SCALES, fine: FINE_HASH_SIZE }));
  const file = join(dir, `${variant.name.replace(/[^A-Za-z0-9._-]/g, '_')}.json`);
  const cache = readCache(file);
  const keys = files.map((f) => {
    const s = statSync(f);
    return digest([resolve(f), s.size, Math.round(s.mtimeMs)]);
  });
  const missing = keys.flatMap((k, i) => (cache[k] === undefined ? [i] : []));
  if (missing.length > 0) {
    const preprocessing = extractorPreprocessing();
    const started = Date.now();
    let next = 0;
    let done = 0;
    const worker = async (): Promise<void> => {
      while (next < missing.length) {
        const i = missing[next++];
        const raw = readFileSync(files[i]);
        const bytes = variant.transform === undefined ? raw : await variant.transform(raw);
        const p = await preprocessing.decode(bytes, input);
        cache[keys[i]] = { perceptualHash: differenceHash(p.rgb, p.width, p.height), cropHashes: centreCropHashes(p.rgb, p.width, p.height), fineHashes: fineHashes(p.rgb, p.width, p.height) };
        done++;
        if (done % 500 === 0 || done === missing.length) log(`  hashes ${variant.name}: ${done}/${missing.length} decoded (${((done * 1000) / Math.max(1, Date.now() - started)).toFixed(1)} img/s)`);
      }
    };
    await Promise.all([worker(), worker()]);
    mkdirSync(dir, { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(cache));
    renameSync(tmp, file);
  }
  return keys.map((k) => cache[k]);
}

function readCache(file: string): Record<string, ImageHashes> {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Record<string, ImageHashes>;
  } catch {
    return {};
  }
}

function digest(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 24);
}
