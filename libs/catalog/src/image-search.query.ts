import { InvalidInputError } from '@stylestream/errors';
import { IMAGE_SOURCES, LABEL_DIMENSIONS, type LabelDimension } from '@stylestream/schemas';
import { CatalogDocState, labelField } from './catalog-document';

/** A validated image search: every filter optional, values within one filter OR-ed, filters AND-ed. */
export interface ImageSearch {
  labels: Partial<Record<LabelDimension, string[]>>;
  source?: string[];
  bloggerId?: string[];
  /** Inclusive bounds on publishedAt, ms since the epoch. */
  publishedFrom?: number;
  publishedTo?: number;
  /** Free text matched against the title. */
  text?: string;
  size: number;
  from: number;
  /** Facet counts for these dimensions (default: all). */
  facets: LabelDimension[];
}

export const SEARCH_LIMITS = { maxSize: 100, defaultSize: 20, maxWindow: 10_000, facetBuckets: 50 } as const;

/** Query parameters accepted by GET /v1/images (for OpenAPI and validation). */
export const IMAGE_SEARCH_PARAMS = [...LABEL_DIMENSIONS, 'source', 'bloggerId', 'publishedFrom', 'publishedTo', 'q', 'size', 'from', 'facets'] as const;

function bad(param: string, message: string): never {
  throw new InvalidInputError(`query parameter "${param}": ${message}`, 'INVALID_QUERY_PARAMETER');
}

function list(param: string, raw: unknown): string[] | undefined {
  if (raw === undefined) return undefined;
  const parts = (Array.isArray(raw) ? raw : [raw]).flatMap((v) => (typeof v === 'string' ? v.split(',') : bad(param, 'must be a string')));
  const values = parts.map((v) => v.trim()).filter((v) => v.length > 0);
  if (values.length === 0) bad(param, 'must not be empty');
  if (values.some((v) => v.length > 256)) bad(param, 'values must be at most 256 characters');
  return values;
}

function single(param: string, raw: unknown): string | undefined {
  if (raw === undefined) return undefined;
  if (typeof raw !== 'string') bad(param, 'must be given once');
  return raw;
}

function int(param: string, raw: unknown, min: number, max: number, fallback: number): number {
  const s = single(param, raw);
  if (s === undefined) return fallback;
  if (!/^\d+$/.test(s)) bad(param, `must be an integer between ${min} and ${max}`);
  const n = Number(s);
  if (n < min || n > max) bad(param, `must be an integer between ${min} and ${max}`);
  return n;
}

function time(param: string, raw: unknown): number | undefined {
  const s = single(param, raw);
  if (s === undefined) return undefined;
  const ms = /^\d+$/.test(s) ? Number(s) : Date.parse(s);
  if (!Number.isFinite(ms)) bad(param, 'must be an ISO-8601 date-time or ms since the epoch');
  return ms;
}

/** Validates raw query parameters; throws InvalidInputError naming the first bad parameter. */
export function parseImageSearch(params: Record<string, unknown>): ImageSearch {
  for (const name of Object.keys(params)) {
    if (!(IMAGE_SEARCH_PARAMS as readonly string[]).includes(name)) bad(name, `unknown; accepted: ${IMAGE_SEARCH_PARAMS.join(', ')}`);
  }
  const labels: Partial<Record<LabelDimension, string[]>> = {};
  for (const d of LABEL_DIMENSIONS) {
    const values = list(d, params[d]);
    if (values !== undefined) labels[d] = values;
  }
  const source = list('source', params.source);
  const unknownSource = source?.find((s) => !(IMAGE_SOURCES as readonly string[]).includes(s));
  if (unknownSource !== undefined) bad('source', `unknown source "${unknownSource}"; one of ${IMAGE_SOURCES.join(', ')}`);
  const publishedFrom = time('publishedFrom', params.publishedFrom);
  const publishedTo = time('publishedTo', params.publishedTo);
  if (publishedFrom !== undefined && publishedTo !== undefined && publishedFrom > publishedTo) bad('publishedFrom', 'must not be after publishedTo');
  const size = int('size', params.size, 0, SEARCH_LIMITS.maxSize, SEARCH_LIMITS.defaultSize);
  const from = int('from', params.from, 0, SEARCH_LIMITS.maxWindow, 0);
  if (from + size > SEARCH_LIMITS.maxWindow) bad('from', `from + size must be at most ${SEARCH_LIMITS.maxWindow}`);
  const facetNames = list('facets', params.facets);
  const unknownFacet = facetNames?.find((f) => !(LABEL_DIMENSIONS as readonly string[]).includes(f));
  if (unknownFacet !== undefined) bad('facets', `unknown dimension "${unknownFacet}"; one of ${LABEL_DIMENSIONS.join(', ')}`);
  const text = single('q', params.q)?.trim();
  if (text !== undefined && text.length > 512) bad('q', 'must be at most 512 characters');
  return {
    labels,
    ...(source === undefined ? {} : { source }),
    ...(params.bloggerId === undefined ? {} : { bloggerId: list('bloggerId', params.bloggerId) }),
    ...(publishedFrom === undefined ? {} : { publishedFrom }),
    ...(publishedTo === undefined ? {} : { publishedTo }),
    ...(text === undefined || text === '' ? {} : { text }),
    size,
    from,
    facets: (facetNames ?? [...LABEL_DIMENSIONS]) as LabelDimension[],
  };
}

/** The Elasticsearch search body of a search: filters in filter context (cached, unscored), text scored, facets as terms aggregations. */
export function buildImageSearchRequest(search: ImageSearch): Record<string, unknown> {
  const filter: object[] = [{ term: { state: CatalogDocState.LIVE } }];
  for (const [dimension, values] of Object.entries(search.labels) as [LabelDimension, string[]][]) {
    filter.push({ terms: { [labelField(dimension)]: values } });
  }
  if (search.source !== undefined) filter.push({ terms: { source: search.source } });
  if (search.bloggerId !== undefined) filter.push({ terms: { bloggerId: search.bloggerId } });
  if (search.publishedFrom !== undefined || search.publishedTo !== undefined) {
    filter.push({ range: { publishedAt: { ...(search.publishedFrom === undefined ? {} : { gte: search.publishedFrom }), ...(search.publishedTo === undefined ? {} : { lte: search.publishedTo }) } } });
  }
  const must = search.text === undefined ? [] : [{ match: { title: { query: search.text, operator: 'and' } } }];
  return {
    query: { bool: { filter, must } },
    sort: search.text === undefined ? [{ publishedAt: 'desc' }, { imageId: 'asc' }] : ['_score', { publishedAt: 'desc' }, { imageId: 'asc' }],
    size: search.size,
    from: search.from,
    track_total_hits: true,
    aggs: Object.fromEntries(search.facets.map((d) => [d, { terms: { field: labelField(d), size: SEARCH_LIMITS.facetBuckets } }])),
  };
}
