import { z } from 'zod';
import { InvalidInputError } from '@stylestream/errors';
import { IMAGE_SOURCES, LABEL_DIMENSIONS, type ImageSource, type LabelDimension } from '@stylestream/schemas';
import { CatalogDocState, labelField } from './catalog-document';

/**
 * Which catalogue images a query is about. Within one condition the values are
 * OR-ed (any of the colours); the conditions are AND-ed. Only LIVE images ever
 * match. Shared by GET /v1/images and the search API's vector-search filters.
 */
export interface CatalogFilter {
  /** Per label dimension, any of these values. */
  labels: Partial<Record<LabelDimension, string[]>>;
  source?: ImageSource[];
  /** Any of these bloggers (up to FILTER_LIMITS.maxBloggerIds). */
  bloggerIds?: string[];
  /** Inclusive bounds on publishedAt, ms since the epoch. */
  publishedFrom?: number;
  publishedTo?: number;
  /** Leave out images the dedupe stage judged EXACT_ or NEAR_DUPLICATE (images without a verdict yet stay in). */
  excludeDuplicates?: boolean;
  /** Free text: every word must occur in the title. */
  text?: string;
}

export const FILTER_LIMITS = { maxValueLength: 256, maxLabelValues: 1_000, maxBloggerIds: 2_000, maxTextLength: 512 } as const;

/** Dedupe verdicts `excludeDuplicates` leaves out. */
export const DUPLICATE_STATUSES = ['EXACT_DUPLICATE', 'NEAR_DUPLICATE'] as const;

const value = z.string().trim().min(1, 'must not be empty').max(FILTER_LIMITS.maxValueLength, `values must be at most ${FILTER_LIMITS.maxValueLength} characters`);
const values = (max: number) => z.array(value).min(1, 'must not be empty').max(max, `at most ${max} values`);

/** An instant as ms since the epoch (number or digit string) or an ISO-8601 date-time string. */
const instant = z.union([z.number(), z.string()]).transform((raw, ctx) => {
  const ms = typeof raw === 'number' ? raw : /^\d+$/.test(raw) ? Number(raw) : Date.parse(raw);
  if (!Number.isSafeInteger(ms) || ms < 0) {
    ctx.addIssue({ code: 'custom', message: 'must be an ISO-8601 date-time or ms since the epoch' });
    return z.NEVER;
  }
  return ms;
});

/**
 * The filter as JSON (e.g. the `filter` of a search request body). Unknown keys,
 * unknown dimensions and unknown sources are rejected. Output: CatalogFilter.
 */
export const catalogFilterSchema = z
  .strictObject({
    labels: z.partialRecord(z.enum(LABEL_DIMENSIONS), values(FILTER_LIMITS.maxLabelValues)).default({}),
    source: z.array(z.enum(IMAGE_SOURCES)).min(1, 'must not be empty').optional(),
    bloggerIds: values(FILTER_LIMITS.maxBloggerIds).optional(),
    publishedFrom: instant.optional(),
    publishedTo: instant.optional(),
    excludeDuplicates: z.boolean().optional(),
    text: z.string().trim().max(FILTER_LIMITS.maxTextLength, `must be at most ${FILTER_LIMITS.maxTextLength} characters`).optional(),
  })
  .superRefine((f, ctx) => {
    if (f.publishedFrom !== undefined && f.publishedTo !== undefined && f.publishedFrom > f.publishedTo) {
      ctx.addIssue({ code: 'custom', path: ['publishedFrom'], message: 'must not be after publishedTo' });
    }
  })
  .transform((f): CatalogFilter => {
    const out: CatalogFilter = { labels: f.labels };
    if (f.source !== undefined) out.source = f.source;
    if (f.bloggerIds !== undefined) out.bloggerIds = f.bloggerIds;
    if (f.publishedFrom !== undefined) out.publishedFrom = f.publishedFrom;
    if (f.publishedTo !== undefined) out.publishedTo = f.publishedTo;
    if (f.excludeDuplicates === true) out.excludeDuplicates = true;
    if (f.text !== undefined && f.text !== '') out.text = f.text;
    return out;
  });

/** The first issue of a failed parse, as `<path>: <message>` with the path dotted (`filter.labels.color`). */
export function firstIssue(error: z.ZodError, prefix?: string): { path: string; message: string } {
  const issue = error.issues[0];
  const keys = issue?.code === 'unrecognized_keys' ? [`${issue.keys[0] ?? ''}`] : [];
  const path = [...(prefix === undefined ? [] : [prefix]), ...(issue?.path ?? []).map(String), ...keys].join('.');
  const message = issue?.code === 'unrecognized_keys' ? 'unknown' : (issue?.message ?? 'invalid');
  return { path, message };
}

/**
 * Validates a JSON filter. Throws InvalidInputError (code INVALID_FILTER)
 * whose message names the offending field, e.g. `"filter.labels.colour": unknown`.
 */
export function parseCatalogFilter(input: unknown, at = 'filter'): CatalogFilter {
  const result = catalogFilterSchema.safeParse(input ?? {});
  if (result.success) return result.data;
  const { path, message } = firstIssue(result.error, at);
  throw new InvalidInputError(`"${path}": ${message}`, 'INVALID_FILTER');
}

export interface FilterQueryOptions {
  /** Score the text match (`must`) instead of only filtering by it; page results sort by relevance then. */
  readonly scoreText?: boolean;
}

/** The Elasticsearch `bool` query of a filter: every condition in filter context (cached, unscored), LIVE documents only. */
export function buildCatalogFilterQuery(filter: CatalogFilter, options: FilterQueryOptions = {}): { bool: Record<string, object[]> } {
  const clauses: object[] = [{ term: { state: CatalogDocState.LIVE } }];
  for (const [dimension, wanted] of Object.entries(filter.labels) as [LabelDimension, string[] | undefined][]) {
    if (wanted !== undefined) clauses.push({ terms: { [labelField(dimension)]: wanted } });
  }
  if (filter.source !== undefined) clauses.push({ terms: { source: filter.source } });
  if (filter.bloggerIds !== undefined) clauses.push({ terms: { bloggerId: filter.bloggerIds } });
  if (filter.publishedFrom !== undefined || filter.publishedTo !== undefined) {
    clauses.push({
      range: { publishedAt: { ...(filter.publishedFrom === undefined ? {} : { gte: filter.publishedFrom }), ...(filter.publishedTo === undefined ? {} : { lte: filter.publishedTo }) } },
    });
  }
  const text = filter.text === undefined ? [] : [{ match: { title: { query: filter.text, operator: 'and' } } }];
  const bool: Record<string, object[]> = { filter: options.scoreText === true ? clauses : [...clauses, ...text] };
  if (options.scoreText === true && text.length > 0) bool.must = text;
  if (filter.excludeDuplicates === true) bool.must_not = [{ terms: { 'dedupe.status': [...DUPLICATE_STATUSES] } }];
  return { bool };
}
