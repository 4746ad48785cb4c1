import { InvalidInputError } from '@stylestream/errors';
import { IMAGE_SOURCES, LABEL_DIMENSIONS } from '@stylestream/schemas';
import { catalogFilterSchema, firstIssue, type CatalogFilter } from './catalog-filter';

/** Query-string parameters that make up a CatalogFilter (GET endpoints). */
export const CATALOG_FILTER_PARAMS = [...LABEL_DIMENSIONS, 'source', 'bloggerId', 'publishedFrom', 'publishedTo', 'excludeDuplicates', 'q'] as const;
export type CatalogFilterParam = (typeof CATALOG_FILTER_PARAMS)[number];

/** Field of the JSON filter → query parameter that carries it. */
const PARAM_OF_FIELD: Record<string, CatalogFilterParam> = { bloggerIds: 'bloggerId', text: 'q', source: 'source', publishedFrom: 'publishedFrom', publishedTo: 'publishedTo', excludeDuplicates: 'excludeDuplicates' };

export function badParam(param: string, message: string): never {
  throw new InvalidInputError(`query parameter "${param}": ${message}`, 'INVALID_QUERY_PARAMETER');
}

/** Comma-separated or repeated values. */
export function listParam(param: string, raw: unknown): string[] | undefined {
  if (raw === undefined) return undefined;
  return (Array.isArray(raw) ? raw : [raw]).flatMap((v) => (typeof v === 'string' ? v.split(',') : badParam(param, 'must be a string'))).map((v) => v.trim());
}

export function singleParam(param: string, raw: unknown): string | undefined {
  if (raw === undefined) return undefined;
  if (typeof raw !== 'string') badParam(param, 'must be given once');
  return raw;
}

function flag(param: string, raw: unknown): boolean | undefined {
  const s = singleParam(param, raw);
  if (s === undefined) return undefined;
  if (s === 'true' || s === '1') return true;
  if (s === 'false' || s === '0') return false;
  return badParam(param, 'must be true or false');
}

/**
 * Reads the filter parameters of a query string (other keys are ignored: the
 * caller checks for unknown ones) and validates them with the same schema as
 * JSON filters. Label dimensions are parameters of their own (`color=red,blue`),
 * blogger ids come as `bloggerId`, the title text as `q`. Throws
 * InvalidInputError (INVALID_QUERY_PARAMETER) naming the parameter.
 */
export function catalogFilterFromQuery(params: Record<string, unknown>): CatalogFilter {
  const labels: Record<string, string[]> = {};
  for (const d of LABEL_DIMENSIONS) {
    const v = listParam(d, params[d]);
    if (v !== undefined) labels[d] = v.filter((x) => x !== '');
  }
  const raw: Record<string, unknown> = { labels };
  const source = listParam('source', params.source);
  if (source !== undefined) {
    raw.source = source.filter((x) => x !== '');
    const unknown = source.find((s) => s !== '' && !(IMAGE_SOURCES as readonly string[]).includes(s));
    if (unknown !== undefined) badParam('source', `unknown source "${unknown}"; one of ${IMAGE_SOURCES.join(', ')}`);
  }
  const bloggers = listParam('bloggerId', params.bloggerId);
  if (bloggers !== undefined) raw.bloggerIds = bloggers.filter((x) => x !== '');
  for (const p of ['publishedFrom', 'publishedTo'] as const) {
    const s = singleParam(p, params[p]);
    if (s !== undefined) raw[p] = s;
  }
  const exclude = flag('excludeDuplicates', params.excludeDuplicates);
  if (exclude !== undefined) raw.excludeDuplicates = exclude;
  const q = singleParam('q', params.q);
  if (q !== undefined) raw.text = q;
  const result = catalogFilterSchema.safeParse(raw);
  if (result.success) return result.data;
  const { path, message } = firstIssue(result.error);
  const [field, dimension] = path.split('.');
  const param = field === 'labels' && dimension !== undefined ? dimension : (PARAM_OF_FIELD[field ?? ''] ?? field ?? 'query');
  return badParam(param, message);
}
