import type { SearchHit, SearchResult } from '../domain/search-query';

/** A hit as the API returns it: id and score, then the display facts when the catalogue knows the image. */
export interface HitView {
  id: string;
  score: number;
  uri?: string | null;
  source?: string | null;
  bloggerId?: string | null;
  publishedAt?: string | null;
  labels?: Record<string, string[] | undefined>;
  dedupeStatus?: string | null;
  duplicateOf?: string | null;
  /** Promoted as a near-duplicate of the query image (image search, first page). */
  nearDuplicate?: { hashDistance: number; hashBits: number };
}

/** The answer: the result with its hits as views and the index version searched (null: the owners' own). */
export type SearchResultView = Omit<SearchResult, 'hits'> & { hits: HitView[]; modelVersion?: string | null };

function hitView(hit: SearchHit): HitView {
  const f = hit.facts;
  const near = hit.nearDuplicate === undefined ? {} : { nearDuplicate: { ...hit.nearDuplicate } };
  if (f === undefined) return { id: hit.id, score: hit.score, ...near };
  return {
    id: hit.id,
    score: hit.score,
    ...near,
    uri: f.uri,
    source: f.source,
    bloggerId: f.bloggerId,
    publishedAt: f.publishedAt === null ? null : new Date(f.publishedAt).toISOString(),
    labels: f.labels,
    dedupeStatus: f.dedupeStatus,
    duplicateOf: f.duplicateOf,
  };
}

export function searchResultView(result: SearchResult & { readonly modelVersion?: string | null }): SearchResultView {
  return { ...result, hits: result.hits.map(hitView) };
}
