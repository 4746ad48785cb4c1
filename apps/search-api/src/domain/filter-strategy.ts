/** Tuning of the filtered-search choice (SEARCH_FILTER_* variables). */
export interface FilterStrategyOptions {
  /** At most this many matching images: their ids go to the owners as filterIds (exact scoring, recall 1). */
  readonly candidateMax: number;
  /** Over-fetch factor of the post-filter strategy: fetch (needed / selectivity) × this. */
  readonly overFetch: number;
  /** Fetch at least this many per owner when post-filtering. */
  readonly minFetch: number;
  /** Deepest k an owner is asked for (the owners' INDEX_MAX_K). */
  readonly maxDepth: number;
  /**
   * Cost of one over-fetched hit of the post-filter (its HNSW result and its
   * catalogue facts) in units of one candidate id (fetched from the
   * catalogue, sent to every owner and scored exactly there). Candidates are
   * chosen while `matching ≤ fetchK × hitCost`.
   */
  readonly hitCost: number;
}

export type FilterPlan =
  | { readonly name: 'no-match' }
  | { readonly name: 'candidates'; readonly matching: number; readonly selectivity: number }
  | { readonly name: 'post-filter'; readonly matching: number; readonly selectivity: number; readonly fetchK: number };

/**
 * Chooses how to run a filtered search from the catalogue's count of matching
 * images and the number of indexed vectors, by comparing the work of the two
 * strategies:
 * - none match: answer empty without asking the owners;
 * - candidates: the `matching` ids go to the owners, which score them
 *   exactly (recall 1); work ∝ matching;
 * - post-filter: an unfiltered HNSW search over-fetching
 *   `fetchK = needed / selectivity × overFetch` (the expected number of hits
 *   to walk past before `needed` matching ones, with margin), raised ef, then
 *   the catalogue facts of the fetched hits filter them; work ∝ fetchK × hitCost.
 * Candidates win while `matching ≤ fetchK × hitCost` (so the cut-off grows
 * like √(hitCost · needed · overFetch · indexed), not as a fixed count), and
 * whenever the over-fetch would hit the depth limit (it could not reach k);
 * never beyond `candidateMax` (transfer and memory bound). A filter the facts
 * cannot judge (title text, `needsCandidates`) takes candidates while they fit.
 * Pure; `needed` is offset + k of the page.
 */
export function planFilteredSearch(matching: number, indexed: number, needed: number, options: FilterStrategyOptions, needsCandidates = false): FilterPlan {
  if (matching === 0) return { name: 'no-match' };
  const selectivity = Math.min(1, matching / Math.max(indexed, matching));
  const fetchK = Math.min(options.maxDepth, Math.max(needed, options.minFetch, Math.ceil((needed / selectivity) * options.overFetch)));
  const candidatesCheaper = matching <= fetchK * options.hitCost || fetchK >= options.maxDepth;
  if (matching <= options.candidateMax && (needsCandidates || candidatesCheaper)) return { name: 'candidates', matching, selectivity };
  return { name: 'post-filter', matching, selectivity, fetchK };
}
