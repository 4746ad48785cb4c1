import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ModelEmbedder } from '../session/model-embedder';
import { type ModelPixels, extractBackboneFeatures } from '../train/backbone-features';
import { extractorPreprocessing } from './extractor-preprocessing';

/** Backbone features (n × dim, normalised as the manifest's output says) and a 16-hex-digit hash of each image's model-sized pixels. */
export interface CachedFeatures {
  readonly dim: number;
  readonly features: Float32Array;
  readonly perceptualHashes: readonly string[];
  /** How many images were read from the cache (the rest were extracted). */
  readonly cached: number;
}

/** Where features are cached (git-ignored). */
export const FEATURE_CACHE_DIR = '.cache/features';

/** Images as read from disk (`original`) or edited before decoding (a named transform). */
export interface ImageVariant {
  readonly name: string;
  readonly transform?: (bytes: Buffer) => Promise<Buffer>;
}

/** Hashes the decoded, model-sized pixels (benchmarks pass the extractor's dHash); 16 characters. */
export type PixelHash = (pixels: ModelPixels) => string;

/** Stored by callers that pass no hash; such entries count as missing for a caller that needs hashes. */
const NO_HASH_MARK = '-'.repeat(16);
const NO_HASH: PixelHash = () => NO_HASH_MARK;

const HASH_BYTES = 16;

/**
 * Features of `files` (optionally transformed first) through the model's backbone,
 * with the serving preprocessing, plus `hash` of each image's pixels. Cached per
 * image under `.cache/features/<model key>/<variant>/`, the model key covering the
 * ONNX SHA-256 and the input/output spec, the entry name the file's absolute path,
 * size and mtime; only images without an entry are extracted, so subsets (quick runs)
 * and reruns reuse earlier work. An entry is 16 ASCII bytes of hash, then the floats;
 * entries written without a hash are re-extracted for a caller that asks for one.
 */
export async function cachedBackboneFeatures(
  embedder: ModelEmbedder,
  files: readonly string[],
  variant: ImageVariant,
  log: (line: string) => void,
  hash: PixelHash = NO_HASH,
): Promise<CachedFeatures> {
  const { manifest } = embedder;
  const dim = manifest.output.dim;
  const modelKey = digest({ onnx: manifest.build?.onnxSha256 ?? manifest.backbone ?? manifest.id, input: manifest.input, output: manifest.output });
  const dir = join(FEATURE_CACHE_DIR, modelKey, variant.name.replace(/[^A-Za-z0-9._-]/g, '_'));
  const entries = cacheEntries(dir, files);
  const features = new Float32Array(files.length * dim);
  const hashes = new Array<string>(files.length);
  const missing: number[] = [];
  entries.forEach((entry, i) => {
    const bytes = tryRead(entry);
    if (bytes === undefined || bytes.length !== HASH_BYTES + dim * 4) {
      missing.push(i);
      return;
    }
    hashes[i] = bytes.subarray(0, HASH_BYTES).toString('ascii');
    if (hashes[i] === NO_HASH_MARK && hash !== NO_HASH) {
      missing.push(i);
      return;
    }
    features.set(floatsOf(bytes, HASH_BYTES), i * dim);
  });
  if (missing.length === 0) return { dim, features, perceptualHashes: hashes, cached: files.length };

  mkdirSync(dir, { recursive: true });
  const extracted = await extractMissing(embedder, files, missing, variant, `features ${variant.name}`, log, (j, p) => {
    const h = hash(p);
    if (h.length !== HASH_BYTES) throw new RangeError(`pixel hash must be ${HASH_BYTES} characters, got "${h}"`);
    hashes[missing[j]] = h;
  });
  missing.forEach((i, j) => {
    const row = extracted.subarray(j * dim, (j + 1) * dim);
    features.set(row, i * dim);
    writeCacheEntry(entries[i], Buffer.concat([Buffer.from(hashes[i], 'ascii'), Buffer.from(row.buffer, row.byteOffset, row.byteLength)]));
  });
  return { dim, features, perceptualHashes: hashes, cached: files.length - missing.length };
}

/**
 * `extractBackboneFeatures` over the files at `missing` (read, `variant`-transformed, the serving preprocessing, batches
 * of 16), logging progress as `<what>: done/total extracted (rate)`. Rows follow `missing`'s order.
 */
export async function extractMissing(
  model: Parameters<typeof extractBackboneFeatures>[0],
  files: readonly string[],
  missing: readonly number[],
  variant: ImageVariant,
  what: string,
  log: (line: string) => void,
  onPixels?: (index: number, pixels: ModelPixels) => void,
): Promise<Float32Array> {
  const started = Date.now();
  return extractBackboneFeatures(
    model,
    missing.length,
    async (j) => {
      const bytes = readFileSync(files[missing[j]]);
      return variant.transform === undefined ? bytes : variant.transform(bytes);
    },
    extractorPreprocessing(),
    {
      batchSize: 16,
      ...(onPixels === undefined ? {} : { onPixels }),
      onProgress: (done, total) => {
        if (done % 256 < 16 || done === total) log(`  ${what}: ${done}/${total} extracted (${((done * 1000) / Math.max(1, Date.now() - started)).toFixed(1)} img/s)`);
      },
    },
  );
}

/** The cache entry of each file under `dir`: named by the file's absolute path, size and mtime, so an edited file misses. */
export function cacheEntries(dir: string, files: readonly string[]): string[] {
  return files.map((f) => {
    const s = statSync(f);
    return join(dir, `${digest([resolve(f), s.size, Math.round(s.mtimeMs)])}.bin`);
  });
}

/** Writes a cache entry atomically (temp file, then rename): a reader never sees half an entry. */
export function writeCacheEntry(entry: string, bytes: Uint8Array): void {
  const tmp = `${entry}.${process.pid}.tmp`;
  writeFileSync(tmp, bytes);
  renameSync(tmp, entry);
}

/** Float32 values of a cache entry's bytes from `offset` (a copy, aligned). */
export function floatsOf(bytes: Buffer, offset = 0): Float32Array {
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset + offset, bytes.byteOffset + bytes.byteLength));
}

/** Short, stable key of a JSON-serialisable value (cache file names). */
export function digest(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 24);
}

/** The file's bytes, or undefined when it cannot be read (a cache miss). */
export function tryRead(path: string): Buffer | undefined {
  try {
    return readFileSync(path);
  } catch {
    return undefined;
  }
}
