import { join, resolve } from 'node:path';
import { readFileSync } from 'node:fs';
import { differenceHash } from '../../apps/extractor/src/perceptual-hash';
import { type CachedFeatures, type PixelHash, cachedBackboneFeatures } from '../../libs/model/src/cli/cached-backbone-features';
import { type LabelledImageSet, type ModelEmbedder, listLabelledImages, loadModel } from '@stylestream/model';
import { NEAR_DUPLICATE_TRANSFORMS, type NearDuplicateTransform, transformImage } from './image-transforms';

/** The labelled image folders (`train/`, `validation/`); QUALITY_DATA_DIR overrides. */
export const QUALITY_DATA_DIR = process.env.QUALITY_DATA_DIR ?? resolve('..', 'shared', 'data', 'clothing-small');
export const BASE_MODEL_ID = 'mobilenet-v2-nsfwjs';
export const HEAD_MODEL_ID = 'mobilenet-v2-nsfwjs-h256';

/** The extractor's 64-bit dHash of the model-sized pixels (what it publishes as `perceptualHash`). */
const dHash: PixelHash = (p) => differenceHash(p.rgb, p.width, p.height);

export const log = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

export interface QualitySplits {
  readonly train: LabelledImageSet;
  readonly validation: LabelledImageSet;
}

export function qualitySplits(): QualitySplits {
  return { train: listLabelledImages(join(QUALITY_DATA_DIR, 'train')), validation: listLabelledImages(join(QUALITY_DATA_DIR, 'validation')) };
}

/** The backbone-only model the heads are learned over (CPU, onnxruntime's default thread count). */
export function loadBaseModel(): Promise<ModelEmbedder> {
  return loadModel({ modelsDir: 'models', modelId: BASE_MODEL_ID, executionProviders: ['cpu'], intraOpThreads: 0, interOpThreads: 1 });
}

/** Backbone features of every image in a split, cached. */
export function splitFeatures(model: ModelEmbedder, set: LabelledImageSet): Promise<CachedFeatures> {
  return cachedBackboneFeatures(model, set.images.map((i) => i.path), { name: 'original' }, log, dHash);
}

/** `count` images drawn (seeded, without replacement) from all of `files`; the same count gives the same images, so caches are shared. */
export function nearDuplicateSample(files: readonly string[], count: number, seed = 11): string[] {
  const order = files.map((f, i) => ({ f, key: hashOf(`${seed}:${i}`) })).sort((a, b) => a.key - b.key);
  return order.slice(0, Math.min(count, files.length)).map((o) => o.f);
}

/** Backbone features and pHashes of transformed copies of `files`, one set per transform, cached. */
export async function transformedFeatures(model: ModelEmbedder, files: readonly string[]): Promise<Map<NearDuplicateTransform, CachedFeatures>> {
  const out = new Map<NearDuplicateTransform, CachedFeatures>();
  for (const t of NEAR_DUPLICATE_TRANSFORMS) {
    out.set(t, await cachedBackboneFeatures(model, files, { name: t, transform: (bytes) => transformImage(bytes, t) }, log, dHash));
  }
  return out;
}

/** Features of the given files in the order given (from the cache where possible). */
export function originalFeatures(model: ModelEmbedder, files: readonly string[]): Promise<CachedFeatures> {
  return cachedBackboneFeatures(model, files, { name: 'original' }, log, dHash);
}

/** The committed head model when its folder exists and loads; undefined otherwise (reported, not fatal). */
export async function loadCommittedHead(): Promise<ModelEmbedder | undefined> {
  try {
    readFileSync(join('models', HEAD_MODEL_ID, 'manifest.json'));
  } catch {
    return undefined;
  }
  return loadModel({ modelsDir: 'models', modelId: HEAD_MODEL_ID, executionProviders: ['cpu'], intraOpThreads: 1, interOpThreads: 1 });
}

function hashOf(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 16777619) >>> 0;
  }
  return h;
}

/** Quantiles of `values` (sorted copy; linear interpolation). */
export function quantile(sorted: Float64Array | number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}
