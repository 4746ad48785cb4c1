import { LABEL_DIMENSIONS, type LabelDimension } from '@stylestream/schemas';
import { labelField } from './catalog-document';
import { buildCatalogFilterQuery, type CatalogFilter } from './catalog-filter';
import { CATALOG_FILTER_PARAMS, badParam, catalogFilterFromQuery, listParam, singleParam } from './catalog-filter.query-params';
import { decodeCursor, type SortValues } from './image-search.cursor';

/** A validated image search: which images (filter), which page, which facets. */
export interface ImageSearch {
  filter: CatalogFilter;
  size: number;
  /** Offset of the page (from/size window); 0 when paging with a cursor. */
  from: number;
  /** From a cursor: sort values of the last hit of the previous page; the page starts after it (search_after). */
  after?: SortValues;
  /** Facet counts for these dimensions (default: all; `facets=none`: none). */
  facets: LabelDimension[];
}

export const SEARCH_LIMITS = { maxSize: 100, defaultSize: 20, maxWindow: 10_000, facetBuckets: 50 } as const;

/** Query parameters accepted by GET /v1/images (for OpenAPI and validation). */
export const IMAGE_SEARCH_PARAMS = [...CATALOG_FILTER_PARAMS, 'size', 'from', 'cursor', 'facets'] as const;

function int(param: string, raw: unknown, min: number, max: number, fallback: number): number {
  const s = singleParam(param, raw);
  if (s === undefined) return fallback;
  if (!/^\d+$/.test(s)) badParam(param, `must be an integer between ${min} and ${max}`);
  const n = Number(s);
  if (n < min || n > max) badParam(param, `must be an integer between ${min} and ${max}`);
  return n;
}

function facetList(raw: unknown): LabelDimension[] {
  const names = listParam('facets', raw)?.filter((v) => v !== '');
  if (names === undefined) return [...LABEL_DIMENSIONS];
  if (names.length === 0) badParam('facets', 'must not be empty');
  if (names.length === 1 && names[0] === 'none') return [];
  const unknown = names.find((f) => !(LABEL_DIMENSIONS as readonly string[]).includes(f));
  if (unknown !== undefined) badParam('facets', `unknown dimension "${unknown}"; one of ${LABEL_DIMENSIONS.join(', ')} or none`);
  return names as LabelDimension[];
}

/** Validates raw query parameters; throws InvalidInputError naming the first bad parameter. */
export function parseImageSearch(params: Record<string, unknown>): ImageSearch {
  for (const name of Object.keys(params)) {
    if (!(IMAGE_SEARCH_PARAMS as readonly string[]).includes(name)) badParam(name, `unknown; accepted: ${IMAGE_SEARCH_PARAMS.join(', ')}`);
  }
  const filter = catalogFilterFromQuery(params);
  const size = int('size', params.size, 0, SEARCH_LIMITS.maxSize, SEARCH_LIMITS.defaultSize);
  const from = int('from', params.from, 0, SEARCH_LIMITS.maxWindow, 0);
  const cursor = singleParam('cursor', params.cursor);
  const facets = facetList(params.facets);
  if (cursor === undefined) {
    if (from + size > SEARCH_LIMITS.maxWindow) badParam('from', `from + size must be at most ${SEARCH_LIMITS.maxWindow}; page further with the cursor of the previous page`);
    return { filter, size, from, facets };
  }
  if (from !== 0) badParam('from', 'must not be given with a cursor');
  const after = decodeCursor(filter, cursor);
  if (after === undefined) badParam('cursor', 'malformed, or from a query with other filters');
  return { filter, size, from: 0, after, facets };
}

/** Sort of result pages: relevance first when there is text, then newest first; imageId makes it total (search_after needs a unique tiebreaker). */
export function imageSearchSort(filter: CatalogFilter): (string | object)[] {
  const byTime = [{ publishedAt: 'desc' }, { imageId: 'asc' }];
  return filter.text === undefined ? byTime : ['_score', ...byTime];
}

/** The Elasticsearch search body: filters in filter context, text scored, facets as terms aggregations, search_after for cursor pages. */
export function buildImageSearchRequest(search: ImageSearch): Record<string, unknown> {
  return {
    query: buildCatalogFilterQuery(search.filter, { scoreText: true }),
    sort: imageSearchSort(search.filter),
    size: search.size,
    ...(search.after === undefined ? { from: search.from } : { search_after: search.after }),
    track_total_hits: true,
    ...(search.facets.length === 0 ? {} : { aggs: Object.fromEntries(search.facets.map((d) => [d, { terms: { field: labelField(d), size: SEARCH_LIMITS.facetBuckets } }])) }),
  };
}
