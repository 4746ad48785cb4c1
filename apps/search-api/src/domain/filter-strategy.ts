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
}

export type FilterPlan =
  | { readonly name: 'no-match' }
  | { readonly name: 'candidates'; readonly matching: number; readonly selectivity: number }
  | { readonly name: 'post-filter'; readonly matching: number; readonly selectivity: number; readonly fetchK: number };

/**
 * Chooses how to run a filtered search from the catalogue's count of matching
 * images and the number of indexed vectors:
 * - none match: answer empty without asking the owners;
 * - at most `candidateMax` match (selective): send the ids; owners score them
 *   exactly, so recall is 1 whatever the selectivity;
 * - more (broad): an unfiltered HNSW search over-fetching
 *   `needed / selectivity × overFetch` (the expected number of hits to walk
 *   past before `needed` matching ones, with margin), raised ef, then the
 *   catalogue facts of the fetched hits filter them.
 * Pure; `needed` is offset + k of the page.
 */
export function planFilteredSearch(matching: number, indexed: number, needed: number, options: FilterStrategyOptions): FilterPlan {
  if (matching === 0) return { name: 'no-match' };
  const selectivity = Math.min(1, matching / Math.max(indexed, matching));
  if (matching <= options.candidateMax) return { name: 'candidates', matching, selectivity };
  const fetchK = Math.min(options.maxDepth, Math.max(needed, options.minFetch, Math.ceil((needed / selectivity) * options.overFetch)));
  return { name: 'post-filter', matching, selectivity, fetchK };
}
