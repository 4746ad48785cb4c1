import type { DedupeEntry, DedupeState } from './dedupe-state';
import { FINE_HASH_BITS, fineDistance, parseFineHash } from './fine-hash';
import { PHASH_BITS, hammingDistance, parsePerceptualHash, type DedupStatus, type PerceptualHash } from '@stylestream/schemas';

/**
 * When two images count as near-duplicates (candidates come from the pHash band
 * index and, when on, the vector lookup; see DedupeState.nearCandidates). `d` is
 * the crop-aware Hamming distance (hashDistance: full frames, and either image's
 * full frame against the other's centre crops), `c` the cosine:
 * - `tiered` (default): (hash evidence AND c ≥ minCosineWithPhash) OR c ≥ minCosine,
 *   where the hash evidence is the crop-aware 256-bit fine distance ≤ maxFineDistance
 *   when both images carry fine hashes, else d ≤ maxHammingDistance; the most similar
 *   candidate is the one with the highest cosine;
 * - `phash-or-cosine`: d ≤ max OR c ≥ min;
 * - `phash-and-cosine`: both;
 * - `phash`: Hamming distance only; `cosine`: cosine only.
 * Cosine is only defined between vectors of the same model version and dim.
 */
export const NEAR_RULES = ['tiered', 'phash-or-cosine', 'phash-and-cosine', 'phash', 'cosine'] as const;
export type NearRule = (typeof NEAR_RULES)[number];

export interface DedupeThresholds {
  /** Largest pHash Hamming distance that counts (0..64; band recall is guaranteed up to 3, beyond that the vector lookup supplies candidates). */
  readonly maxHammingDistance: number;
  /** Smallest cosine similarity that is a near-duplicate on its own. */
  readonly minCosine: number;
  /** `tiered` only: smallest cosine that, together with the hash evidence, is a near-duplicate. */
  readonly minCosineWithPhash?: number;
  /** `tiered` only: largest crop-aware fine (256-bit) distance that is hash evidence, when both images carry fine hashes. */
  readonly maxFineDistance?: number;
  readonly rule: NearRule;
}

/** The image being classified. */
export interface DedupeCandidate {
  readonly imageId: string;
  readonly contentSha256: string;
  readonly perceptualHash: string;
  /** pHashes of centre crops (vector-extracted `cropHashes`); absent or empty when unknown. */
  readonly cropHashes?: readonly string[];
  /** 256-bit hashes (vector-extracted `fineHashes`: full frame, then crops); absent or empty when unknown. */
  readonly fineHashes?: readonly string[];
  readonly modelVersion: string;
  readonly vector: Float32Array;
}

export interface DedupeDecision {
  readonly status: DedupStatus;
  readonly duplicateOf: string | null;
  readonly similarity: number | null;
  /** True when the decision was taken from the state because this id was seen before with the same content. */
  readonly repeated: boolean;
}

/**
 * Classifies one image against the state (pure: the state is not changed).
 * 1. The same id seen before with the same content hash and pHash → the same
 *    decision as before (a redelivery or re-send never changes its verdict),
 *    unless it was a duplicate of a canonical that has since been removed.
 * 2. A canonical image (other than itself) with the same content SHA-256 →
 *    EXACT_DUPLICATE, similarity 1.
 * 3. The most similar canonical among the band candidates that passes the
 *    near rule → NEAR_DUPLICATE (similarity: the larger of 1 − distance/64
 *    and cosine, each counted only when it passed its threshold; ties →
 *    smallest image id).
 * 4. Otherwise UNIQUE.
 */
export function classify(state: DedupeState, image: DedupeCandidate, thresholds: DedupeThresholds): DedupeDecision {
  const previous = state.get(image.imageId);
  if (previous !== undefined && previous.contentSha256 === image.contentSha256 && previous.perceptualHash === image.perceptualHash) {
    const canonicalGone = previous.duplicateOf !== null && state.get(previous.duplicateOf)?.status !== 'UNIQUE';
    if (!canonicalGone) return { status: previous.status, duplicateOf: previous.duplicateOf, similarity: previous.similarity, repeated: true };
  }
  const exact = state.canonicalsWithSha(image.contentSha256).find((id) => id !== image.imageId);
  if (exact !== undefined) return { status: 'EXACT_DUPLICATE', duplicateOf: exact, similarity: 1, repeated: false };

  const hash = parsePerceptualHash(image.perceptualHash);
  const crops = (image.cropHashes ?? []).map(parsePerceptualHash);
  const fine = (image.fineHashes ?? []).map(parseFineHash);
  let best: { id: string; similarity: number } | undefined;
  for (const candidate of state.nearCandidates({ hash, crops, vector: { modelVersion: image.modelVersion, values: image.vector } })) {
    if (candidate.imageId === image.imageId) continue;
    const distance = hashDistance(hash, crops, parsePerceptualHash(candidate.perceptualHash), state.cropHashesOf(candidate.imageId));
    const evidence: HashEvidence = { distance, fine: fineDistance(fine, state.fineHashesOf(candidate.imageId)) };
    const cosine = cosineOf(image, candidate);
    if (!isNear(evidence, cosine, thresholds)) continue;
    const similarity = similarityOf(evidence, cosine, thresholds);
    if (best === undefined || similarity > best.similarity) best = { id: candidate.imageId, similarity };
  }
  if (best !== undefined) return { status: 'NEAR_DUPLICATE', duplicateOf: best.id, similarity: best.similarity, repeated: false };
  return { status: 'UNIQUE', duplicateOf: null, similarity: null, repeated: false };
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

/** Hash distances of one pair: crop-aware 64-bit, and crop-aware 256-bit when both images carry fine hashes. */
interface HashEvidence {
  readonly distance: number;
  readonly fine: number | undefined;
}

/**
 * The similarity of the evidence that matched. `tiered`: the cosine (the hash tier only
 * admits a pair, the embedding ranks candidates), or 1 − fine distance/256 when there is
 * no cosine. Other rules: the larger of pHash (1 − d/64, if within distance) and cosine
 * (if past minCosine).
 */
function similarityOf(e: HashEvidence, cosine: number | null, t: DedupeThresholds): number {
  if (t.rule === 'tiered') return cosine ?? 1 - (e.fine ?? (e.distance * FINE_HASH_BITS) / PHASH_BITS) / FINE_HASH_BITS;
  const byHash = e.distance <= t.maxHammingDistance ? 1 - e.distance / PHASH_BITS : 0;
  const byCosine = cosine !== null && cosine >= t.minCosine ? cosine : 0;
  return Math.max(byHash, byCosine);
}

/** `tiered`: the hash evidence (fine distance when known, else the 64-bit one) with a cosine of at least minCosineWithPhash. */
function tieredHashPasses(e: HashEvidence, cosine: number | null, t: DedupeThresholds): boolean {
  const close = e.fine !== undefined && t.maxFineDistance !== undefined ? e.fine <= t.maxFineDistance : e.distance <= t.maxHammingDistance;
  return close && cosine !== null && cosine >= (t.minCosineWithPhash ?? t.minCosine);
}

function isNear(e: HashEvidence, cosine: number | null, t: DedupeThresholds): boolean {
  const distance = e.distance;
  const byHash = distance <= t.maxHammingDistance;
  const byCosine = cosine !== null && cosine >= t.minCosine;
  switch (t.rule) {
    case 'tiered':
      return tieredHashPasses(e, cosine, t) || byCosine;
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

/** Cosine similarity clamped to [0, 1], or null when the vectors are not comparable. */
export function cosineOf(image: DedupeCandidate, canonical: DedupeEntry): number | null {
  const other = canonical.vector;
  if (other === null || other.length !== image.vector.length || canonical.modelVersion !== image.modelVersion) return null;
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < other.length; i++) {
    dot += image.vector[i] * other[i];
    na += image.vector[i] * image.vector[i];
    nb += other[i] * other[i];
  }
  if (na === 0 || nb === 0) return null;
  return Math.min(1, Math.max(0, dot / Math.sqrt(na * nb)));
}
