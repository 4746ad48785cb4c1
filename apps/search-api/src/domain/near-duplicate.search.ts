import { DependencyUnavailableError, reasonOf, withinDeadline } from '@stylestream/errors';
import type { NearDuplicateCandidate, NearDuplicateCandidateSource } from '@stylestream/catalog';
import type { ImageHashes, NearDuplicateThresholds } from '@stylestream/near-duplicate';
import { hashCloseCandidates, promoteNearDuplicates, verifyNearDuplicates } from './near-duplicate.promotion';
import type { SearchCursorCodec } from './search-cursor.codec';
import type { NearDuplicateReport, SearchResult, VectorQuery } from './search-query';

/** The part of VectorSearchService the lookup needs. */
export interface VectorRanking {
  search(query: VectorQuery): Promise<SearchResult>;
  scoreIds(query: VectorQuery, ids: readonly string[]): Promise<Map<string, number>>;
}

export interface NearDuplicateSearchOptions {
  readonly thresholds: NearDuplicateThresholds;
  /** Most band candidates read from the catalogue per query. */
  readonly maxCandidates: number;
  /** Deadline of the catalogue lookup. */
  readonly catalogTimeoutMs: number;
}

export interface NearDuplicateSearchDeps {
  readonly ranking: VectorRanking;
  readonly source: NearDuplicateCandidateSource;
  readonly cursors: SearchCursorCodec;
  readonly options: NearDuplicateSearchOptions;
}

/** Above every cosine: the boundary of a next page when every hit of the first one was promoted. */
const ABOVE_EVERY_SCORE = Number.MAX_VALUE;

/**
 * Image search with near-duplicate lookup before semantic ranking. On the first page
 * of a query that carries the query image's hashes, the vector search and the
 * catalogue's band lookup run at once; band candidates whose hashes are close are
 * scored by the owners (k-NN restricted to them, the query's model version) and those
 * passing the dedupe rule's hash clause are put first, flagged `nearDuplicate`. The
 * next page's cursor leaves the promoted ids out and continues the vector ranking
 * after the last vector hit shown. Later pages, and queries without hashes, are the
 * plain vector search. The catalogue (or the scoring fan-out) failing costs only the
 * promotion: the vector answer is returned with `nearDuplicates.status: unavailable`.
 */
export class NearDuplicateSearch {
  constructor(private readonly deps: NearDuplicateSearchDeps) {}

  async search(query: VectorQuery, hashes: ImageHashes | undefined): Promise<SearchResult> {
    const { ranking } = this.deps;
    if (hashes === undefined || query.offset > 0 || query.after !== undefined) {
      const result = await ranking.search(query);
      return { ...result, nearDuplicates: { status: 'skipped', candidates: 0, promoted: 0, reason: hashes === undefined ? 'no query image hashes' : 'not the first page' } };
    }
    const [vector, lookup] = await Promise.all([ranking.search(query), this.lookup(hashes, query)]);
    if (lookup instanceof Error) return { ...vector, nearDuplicates: { status: 'unavailable', candidates: 0, promoted: 0, reason: reasonOf(lookup) } };
    const close = hashCloseCandidates(hashes, lookup, this.deps.options.thresholds, query.excludeIds);
    const cosines = new Map<string, number>(vector.hits.map((h) => [h.id, h.score]));
    const unscored = close.map((c) => c.candidate.imageId).filter((id) => !cosines.has(id));
    let report: NearDuplicateReport = { status: 'checked', candidates: lookup.length, promoted: 0 };
    if (unscored.length > 0) {
      try {
        for (const [id, score] of await ranking.scoreIds(query, unscored)) cosines.set(id, score);
      } catch (err) {
        report = { ...report, status: 'unavailable', reason: `scoring candidates: ${reasonOf(err)}` };
      }
    }
    const verified = verifyNearDuplicates(close, cosines, this.deps.options.thresholds);
    if (verified.length === 0) return { ...vector, nearDuplicates: report };
    const page = promoteNearDuplicates(vector.hits, verified, query.k);
    const more = vector.nextCursor !== null || page.pushedOff > 0;
    const nextCursor = more
      ? this.deps.cursors.encode({ ...query, excludeIds: [...query.excludeIds, ...page.promotedIds] }, page.hits.length, page.lastVectorHit ?? { score: ABOVE_EVERY_SCORE, id: '' })
      : null;
    return { ...vector, hits: page.hits, nextCursor, nearDuplicates: { ...report, promoted: page.promotedIds.length } };
  }

  /** The band candidates, or the error that made them unavailable (bounded by catalogTimeoutMs). */
  private async lookup(hashes: ImageHashes, query: VectorQuery): Promise<NearDuplicateCandidate[] | Error> {
    const { source, options } = this.deps;
    const ms = options.catalogTimeoutMs;
    try {
      return await withinDeadline(source.nearDuplicateCandidates(hashes, query.filter, options.maxCandidates), ms, () => new DependencyUnavailableError('catalogue', `near-duplicate candidates: no answer within ${ms} ms`));
    } catch (err) {
      return err instanceof Error ? err : new Error(String(err));
    }
  }
}
