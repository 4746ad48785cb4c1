import { hammingDistance, parsePerceptualHash } from '@stylestream/schemas';
import type { CachedFeatures } from '../../libs/model/src/cli/cached-backbone-features';
import type { NearDuplicateTransform } from './image-transforms';
import { quantile } from './quality-dataset';

/** Similarity of copies to their original vs similarity between distinct images, in one vector space. */
export interface SimilaritySpread {
  readonly copies: { readonly min: number; readonly p1: number; readonly p5: number; readonly median: number; readonly minByTransform: Record<string, number> };
  readonly distinct: { readonly max: number; readonly p99: number; readonly p999: number; readonly pairs: number };
}

/** Cosine of row i of `a` with row i of `b` (rows unit length or not). */
function cosine(a: Float32Array, ai: number, b: Float32Array, bi: number, dim: number): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let k = 0; k < dim; k++) {
    const x = a[ai * dim + k];
    const y = b[bi * dim + k];
    dot += x * y;
    na += x * x;
    nb += y * y;
  }
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}

/**
 * `originals` (n × dim) and per transform the copies (n × dim, row i a copy of
 * original i); distinct pairs are all pairs among the first `distinctCount` rows of
 * `distinctRows` (distinct images).
 */
export function similaritySpread(
  originals: Float32Array,
  copies: ReadonlyMap<NearDuplicateTransform, Float32Array>,
  distinctRows: Float32Array,
  distinctCount: number,
  dim: number,
): SimilaritySpread {
  const n = originals.length / dim;
  const all: number[] = [];
  const minByTransform: Record<string, number> = {};
  for (const [t, rows] of copies) {
    let min = Infinity;
    for (let i = 0; i < n; i++) {
      const c = cosine(originals, i, rows, i, dim);
      all.push(c);
      min = Math.min(min, c);
    }
    minByTransform[t] = min;
  }
  all.sort((x, y) => x - y);
  const pairs = new Float64Array((distinctCount * (distinctCount - 1)) / 2);
  let p = 0;
  for (let i = 0; i < distinctCount; i++) for (let j = i + 1; j < distinctCount; j++) pairs[p++] = cosine(distinctRows, i, distinctRows, j, dim);
  pairs.sort();
  return {
    copies: { min: all[0], p1: quantile(all, 0.01), p5: quantile(all, 0.05), median: quantile(all, 0.5), minByTransform },
    distinct: { max: pairs[pairs.length - 1], p99: quantile(pairs, 0.99), p999: quantile(pairs, 0.999), pairs: pairs.length },
  };
}

/** pHash Hamming distances: copy vs its original (max/p99/p95/median) and between distinct images (min/p0.1/p1). */
export function hammingSpread(originals: CachedFeatures, copies: ReadonlyMap<NearDuplicateTransform, CachedFeatures>, distinct: readonly string[]) {
  const hashes = originals.perceptualHashes.map(parsePerceptualHash);
  const copyDistances: number[] = [];
  const maxByTransform: Record<string, number> = {};
  for (const [t, c] of copies) {
    let max = 0;
    c.perceptualHashes.forEach((h, i) => {
      const d = hammingDistance(hashes[i], parsePerceptualHash(h));
      copyDistances.push(d);
      max = Math.max(max, d);
    });
    maxByTransform[t] = max;
  }
  copyDistances.sort((a, b) => a - b);
  const parsed = distinct.map(parsePerceptualHash);
  const pairs: number[] = [];
  for (let i = 0; i < parsed.length; i++) for (let j = i + 1; j < parsed.length; j++) pairs.push(hammingDistance(parsed[i], parsed[j]));
  pairs.sort((a, b) => a - b);
  return {
    copies: { max: copyDistances[copyDistances.length - 1], p99: quantile(copyDistances, 0.99), p95: quantile(copyDistances, 0.95), median: quantile(copyDistances, 0.5), maxByTransform },
    distinct: { min: pairs[0], p001: quantile(pairs, 0.001), p01: quantile(pairs, 0.01), pairs: pairs.length },
  };
}
