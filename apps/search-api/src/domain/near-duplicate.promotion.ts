import { FINE_HASH_BITS, hashEvidence, hashIsClose, hashTierPasses, parseImageHashes, type HashEvidence, type ImageHashes, type NearDuplicateThresholds } from '@stylestream/near-duplicate';
import { PHASH_BITS } from '@stylestream/schemas';
import type { NearDuplicateCandidate } from '@stylestream/catalog';
import type { NearDuplicateMatch, ScoredId, SearchHit } from './search-query';

/** A band candidate whose hashes are close to the query's: it still needs its cosine. */
export interface HashCloseCandidate {
  readonly candidate: NearDuplicateCandidate;
  readonly evidence: HashEvidence;
}

/** A candidate that passed the rule: the hit to put first. */
export interface VerifiedNearDuplicate {
  readonly hit: SearchHit & { readonly nearDuplicate: NearDuplicateMatch };
  /** Hash distance as a share of its bits (the promotion order). */
  readonly share: number;
}

/**
 * The band candidates whose crop-aware hash distance to the query passes the hash half
 * of the `tiered` rule (fine 256-bit distance when both carry fine hashes, else the
 * 64-bit one), minus `excludeIds`. A candidate with malformed stored hashes is skipped.
 */
export function hashCloseCandidates(query: ImageHashes, candidates: readonly NearDuplicateCandidate[], thresholds: NearDuplicateThresholds, excludeIds: readonly string[]): HashCloseCandidate[] {
  const q = parseImageHashes(query);
  const excluded = new Set(excludeIds);
  return candidates.flatMap((candidate) => {
    if (excluded.has(candidate.imageId)) return [];
    let evidence: HashEvidence;
    try {
      evidence = hashEvidence(q, parseImageHashes(candidate.hashes));
    } catch {
      return [];
    }
    return hashIsClose(evidence, thresholds) ? [{ candidate, evidence }] : [];
  });
}

/**
 * The rule's verdict on the hash-close candidates given their cosines with the query
 * (`cosines`: id → inner product of unit vectors, from the owners of the query's model
 * version; an id without one is not indexed there and is never promoted): the `tiered`
 * hash clause, hash evidence AND cosine ≥ minCosineWithPhash. Ordered by hash distance
 * share ascending (the closest copy is most likely the same picture), then cosine
 * descending, then id.
 */
export function verifyNearDuplicates(close: readonly HashCloseCandidate[], cosines: ReadonlyMap<string, number>, thresholds: NearDuplicateThresholds): VerifiedNearDuplicate[] {
  const verified = close.flatMap(({ candidate, evidence }): VerifiedNearDuplicate[] => {
    const cosine = cosines.get(candidate.imageId);
    if (cosine === undefined || !hashTierPasses(evidence, cosine, thresholds)) return [];
    const fine = evidence.fine !== undefined && thresholds.maxFineDistance !== undefined;
    const nearDuplicate: NearDuplicateMatch = { hashDistance: fine ? (evidence.fine ?? 0) : evidence.distance, hashBits: fine ? FINE_HASH_BITS : PHASH_BITS };
    return [{ hit: { id: candidate.imageId, score: cosine, facts: candidate.facts, nearDuplicate }, share: nearDuplicate.hashDistance / nearDuplicate.hashBits }];
  });
  return verified.sort((a, b) => a.share - b.share || b.hit.score - a.hit.score || (a.hit.id < b.hit.id ? -1 : a.hit.id > b.hit.id ? 1 : 0));
}

/** The first page with near-duplicates promoted, and what the next page must know. */
export interface PromotedPage {
  readonly hits: SearchHit[];
  /** Ids put first; the next page leaves them out. */
  readonly promotedIds: string[];
  /** The last vector-ranked hit on the page (the next page's rank boundary); undefined when every hit was promoted. */
  readonly lastVectorHit: ScoredId | undefined;
  /** Vector-ranked hits of the vector page that no longer fit on it (the next page shows them). */
  readonly pushedOff: number;
}

/**
 * Merges one first page: the verified near-duplicates first (at most k, in their
 * order), then the vector page's hits that are not among them, in vector order, cut
 * at k. A promoted hit keeps its cosine as `score`, so scores are not monotonic
 * across the promoted/vector boundary; `nearDuplicate` marks the promoted ones.
 */
export function promoteNearDuplicates(vectorPage: readonly SearchHit[], verified: readonly VerifiedNearDuplicate[], k: number): PromotedPage {
  const promoted = verified.slice(0, k).map((v) => v.hit);
  const ids = new Set(promoted.map((h) => h.id));
  const rest = vectorPage.filter((h) => !ids.has(h.id));
  const kept = rest.slice(0, Math.max(0, k - promoted.length));
  const last = kept.at(-1);
  return { hits: [...promoted, ...kept], promotedIds: promoted.map((h) => h.id), lastVectorHit: last === undefined ? undefined : { id: last.id, score: last.score }, pushedOff: rest.length - kept.length };
}
