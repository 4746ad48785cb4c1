import type { DedupStatus, ImageSource, LabelDimension } from '@stylestream/schemas';
import type { CatalogFilter } from './catalog-filter';

/** Ids of the images matching a filter, as far as the limit allowed. */
export interface CandidateIds {
  /** Matching LIVE image ids, at most `limit`, in index order (not ranked: the caller scores them). */
  ids: string[];
  /** Exact number of matching images. */
  total: number;
  /** True when total > ids.length: the limit cut the set, the caller must not treat it as complete. */
  truncated: boolean;
}

/** What a search result needs to show an image. */
export interface CatalogImageFacts {
  imageId: string;
  uri: string | null;
  source: ImageSource | null;
  bloggerId: string | null;
  /** ms since the epoch. */
  publishedAt: number | null;
  /** Per dimension, the labels in sorted order without repeats. */
  labels: Partial<Record<LabelDimension, string[]>>;
  /** Null until the dedupe stage has judged the image. */
  dedupeStatus: DedupStatus | null;
  duplicateOf: string | null;
}

/**
 * Candidate sets for selective vector-search filters: the caller estimates the
 * selectivity with countMatching, and when the set is small it takes the ids
 * from candidateIds and scores them exactly; factsByIds decorates the final
 * top-k. Only LIVE images (not taken down, not pending) ever match or have facts.
 *
 * Errors: DependencyUnavailableError when the store is unreachable, overloaded
 * or too slow (retriable: answer 503 or fall back to another strategy);
 * InternalError when it rejects the request (a bug). Filters are validated
 * before (parseCatalogFilter / catalogFilterFromQuery).
 */
export interface CatalogCandidateSource {
  /** Exact number of images matching the filter; one cheap request (no documents fetched). */
  countMatching(filter: CatalogFilter): Promise<number>;
  /**
   * Up to `limit` ids of images matching the filter, with the exact total.
   * A set beyond one page (10,000) is fetched page by page over a
   * point-in-time view, so the ids are one consistent snapshot; a limit above
   * one page costs an extra count request.
   */
  candidateIds(filter: CatalogFilter, limit: number): Promise<CandidateIds>;
  /**
   * Facts of the given images (any number; fetched in chunks); ids that are
   * unknown, pending or taken down are absent from the map. Sees writes once
   * the index has refreshed (about a second).
   */
  factsByIds(ids: readonly string[]): Promise<Map<string, CatalogImageFacts>>;
}
