import type { RankBoundary, ScoredId } from './search-query';

/** Ranking order of every result list: score descending, then id ascending (a total order, so pages never overlap). */
export function compareRank(a: ScoredId, b: ScoredId): number {
  if (a.score !== b.score) return b.score - a.score;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** True when `hit` ranks strictly after the boundary (i.e. was not on an earlier page). */
export function isAfter(hit: ScoredId, boundary: RankBoundary | undefined): boolean {
  return boundary === undefined || compareRank(boundary, hit) < 0;
}

/**
 * Merges the sorted-or-not hit lists of several owners into one ranking: an id
 * answered by two owners (a partition moving between them) keeps its best
 * score; ids in `exclude` and ids ranked at or before `after` are dropped;
 * the first `limit` remain, in ranking order.
 */
export function mergeTopK(lists: readonly (readonly ScoredId[])[], limit: number, options: { after?: RankBoundary; exclude?: ReadonlySet<string> } = {}): ScoredId[] {
  const best = new Map<string, ScoredId>();
  for (const list of lists) {
    for (const hit of list) {
      if (options.exclude?.has(hit.id) === true || !isAfter(hit, options.after)) continue;
      const seen = best.get(hit.id);
      if (seen === undefined || hit.score > seen.score) best.set(hit.id, hit);
    }
  }
  return [...best.values()].sort(compareRank).slice(0, Math.max(0, limit));
}
