import { PHASH_BITS, hammingDistance, parsePerceptualHash, type PerceptualHash } from '@stylestream/schemas';
import { FINE_HASH_BITS, type FineHash, fineDistance, parseFineHash } from './fine-hash';

/**
 * When two images count as near-duplicates. `d` is the crop-aware Hamming distance
 * (hashDistance: full frames, and either image's full frame against the other's
 * centre crops), `c` the cosine:
 * - `tiered` (default): (hash evidence AND c ≥ minCosineWithPhash) OR c ≥ minCosine,
 *   where the hash evidence is the crop-aware 256-bit fine distance ≤ maxFineDistance
 *   when both images carry fine hashes, else d ≤ maxHammingDistance;
 * - `phash-or-cosine`: d ≤ max OR c ≥ min;
 * - `phash-and-cosine`: both;
 * - `phash`: Hamming distance only; `cosine`: cosine only.
 * Cosine is only defined between vectors of the same model version and dim (null otherwise).
 */
export const NEAR_RULES = ['tiered', 'phash-or-cosine', 'phash-and-cosine', 'phash', 'cosine'] as const;
export type NearRule = (typeof NEAR_RULES)[number];

export interface NearDuplicateThresholds {
  /** Largest crop-aware pHash Hamming distance that counts (0..64). */
  readonly maxHammingDistance: number;
  /** Smallest cosine similarity that is a near-duplicate on its own. */
  readonly minCosine: number;
  /** `tiered` only: smallest cosine that, together with the hash evidence, is a near-duplicate. */
  readonly minCosineWithPhash?: number;
  /** `tiered` only: largest crop-aware fine (256-bit) distance that is hash evidence, when both images carry fine hashes. */
  readonly maxFineDistance?: number;
  readonly rule: NearRule;
}

/** The hashes of one image as vector-extracted carries them (hex strings). */
export interface ImageHashes {
  /** 64-bit dHash of the full frame, 16 lower-case hex digits. */
  readonly perceptualHash: string;
  /** 64-bit dHashes of centre crops; absent or empty when unknown. */
  readonly cropHashes?: readonly string[];
  /** 256-bit dHashes: full frame, then the crops; absent or empty when unknown. */
  readonly fineHashes?: readonly string[];
}

/** ImageHashes parsed once for repeated comparisons. */
export interface ParsedImageHashes {
  readonly hash: PerceptualHash;
  readonly crops: readonly PerceptualHash[];
  readonly fine: readonly FineHash[];
}

/** Hash distances of one pair: crop-aware 64-bit, and crop-aware 256-bit when both images carry fine hashes. */
export interface HashEvidence {
  readonly distance: number;
  readonly fine: number | undefined;
}

/** Parses every hash of an image. Throws InvalidInputError (PHASH_INVALID) on a malformed one. */
export function parseImageHashes(h: ImageHashes): ParsedImageHashes {
  return { hash: parsePerceptualHash(h.perceptualHash), crops: (h.cropHashes ?? []).map(parsePerceptualHash), fine: (h.fineHashes ?? []).map(parseFineHash) };
}

/**
 * Crop-aware Hamming distance between two images: the smallest of full frame vs full
 * frame, `a`'s full frame vs each of `b`'s centre crops (a is a crop of b), and each of
 * `a`'s centre crops vs `b`'s full frame (b is a crop of a). Without crop hashes it is
 * the plain pHash distance.
 */
export function hashDistance(a: PerceptualHash, aCrops: readonly PerceptualHash[], b: PerceptualHash, bCrops: readonly PerceptualHash[]): number {
  let d = hammingDistance(a, b);
  for (const crop of bCrops) d = Math.min(d, hammingDistance(a, crop));
  for (const crop of aCrops) d = Math.min(d, hammingDistance(crop, b));
  return d;
}

/** The hash evidence of a pair of parsed images (symmetric). */
export function hashEvidence(a: ParsedImageHashes, b: ParsedImageHashes): HashEvidence {
  return { distance: hashDistance(a.hash, a.crops, b.hash, b.crops), fine: fineDistance(a.fine, b.fine) };
}

/** `tiered`'s hash clause: the hash evidence (fine distance when known, else the 64-bit one) with a cosine of at least minCosineWithPhash. */
export function hashTierPasses(e: HashEvidence, cosine: number | null, t: NearDuplicateThresholds): boolean {
  return hashIsClose(e, t) && cosine !== null && cosine >= (t.minCosineWithPhash ?? t.minCosine);
}

/** The hash half of the tiered rule alone: fine distance ≤ maxFineDistance when both fine hashes are known, else 64-bit distance ≤ maxHammingDistance. */
export function hashIsClose(e: HashEvidence, t: NearDuplicateThresholds): boolean {
  return e.fine !== undefined && t.maxFineDistance !== undefined ? e.fine <= t.maxFineDistance : e.distance <= t.maxHammingDistance;
}

/** The rule's verdict on one pair. */
export function isNear(e: HashEvidence, cosine: number | null, t: NearDuplicateThresholds): boolean {
  const byHash = e.distance <= t.maxHammingDistance;
  const byCosine = cosine !== null && cosine >= t.minCosine;
  switch (t.rule) {
    case 'tiered':
      return hashTierPasses(e, cosine, t) || byCosine;
    case 'phash-or-cosine':
      return byHash || byCosine;
    case 'phash-and-cosine':
      return byHash && byCosine;
    case 'phash':
      return byHash;
    case 'cosine':
      return byCosine;
  }
}

/**
 * The similarity of the evidence that matched. `tiered`: the cosine (the hash tier only
 * admits a pair, the embedding ranks candidates), or 1 − fine distance/256 when there is
 * no cosine. Other rules: the larger of pHash (1 − d/64, if within distance) and cosine
 * (if past minCosine).
 */
export function nearSimilarity(e: HashEvidence, cosine: number | null, t: NearDuplicateThresholds): number {
  if (t.rule === 'tiered') return cosine ?? 1 - (e.fine ?? (e.distance * FINE_HASH_BITS) / PHASH_BITS) / FINE_HASH_BITS;
  const byHash = e.distance <= t.maxHammingDistance ? 1 - e.distance / PHASH_BITS : 0;
  const byCosine = cosine !== null && cosine >= t.minCosine ? cosine : 0;
  return Math.max(byHash, byCosine);
}

/** The hash distance as a share of its bits (fine when known, else 64-bit): one scale to order pairs by. */
export function hashDistanceShare(e: HashEvidence): number {
  return e.fine !== undefined ? e.fine / FINE_HASH_BITS : e.distance / PHASH_BITS;
}
