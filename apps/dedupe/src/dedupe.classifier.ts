import type { DedupeEntry, DedupeState } from './dedupe-state';
import { parseFineHash } from './fine-hash';
import { parsePerceptualHash, type DedupStatus } from '@stylestream/schemas';
import { type HashEvidence, type NearDuplicateThresholds, fineDistance, hashDistance, isNear, nearSimilarity } from '@stylestream/near-duplicate';

/**
 * When two images count as near-duplicates: the rule of @stylestream/near-duplicate
 * (NEAR_RULES, `tiered` by default). Candidates come from the pHash band index and,
 * when on, the vector lookup (see DedupeState.nearCandidates); among those passing,
 * the most similar one is kept (`tiered`: the highest cosine).
 */
export { NEAR_RULES, type NearRule, hashDistance } from '@stylestream/near-duplicate';
export type DedupeThresholds = NearDuplicateThresholds;

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
    const similarity = nearSimilarity(evidence, cosine, thresholds);
    if (best === undefined || similarity > best.similarity) best = { id: candidate.imageId, similarity };
  }
  if (best !== undefined) return { status: 'NEAR_DUPLICATE', duplicateOf: best.id, similarity: best.similarity, repeated: false };
  return { status: 'UNIQUE', duplicateOf: null, similarity: null, repeated: false };
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
