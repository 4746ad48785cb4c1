import { LABEL_DIMENSIONS, type LabelDimension } from '@stylestream/schemas';
import type { FollowedRequest, RisingRequest, StatsFilter, TrendRequest } from './stats-request';

/** A parameterised statement: values travel as ClickHouse query parameters, never in the text. */
export interface SqlQuery {
  readonly query: string;
  readonly params: Record<string, unknown>;
}

/** Only validated dimension names are ever written into SQL as identifiers. */
function column(dimension: LabelDimension): string {
  if (!(LABEL_DIMENSIONS as readonly string[]).includes(dimension)) throw new RangeError(`not a label dimension: ${dimension}`);
  return dimension;
}

/**
 * The hashed label column of a dimension (migration 007): the values as
 * cityHash64, so conditions and grouping are integer work. Two labels of one
 * dimension with one 64-bit hash would be counted as one (as with image_hash).
 */
function hashed(dimension: LabelDimension): string {
  return `${column(dimension)}_hash`;
}

/** WHERE terms of a filter (label conditions ANDed, sources ORed, optional dedupe exclusion). */
export function filterTerms(filter: StatsFilter, params: Record<string, unknown>): string[] {
  const terms = filter.where.map((c, i) => {
    params[`w${i}`] = c.value;
    return `has(${hashed(c.dimension)}, cityHash64({w${i}:String}))`;
  });
  if (filter.sources.length > 0) {
    params.sources = filter.sources;
    terms.push('source IN {sources:Array(String)}');
  }
  if (filter.uniqueOnly) terms.push(`image_hash NOT IN (SELECT cityHash64(image_id) FROM image_dedup FINAL WHERE status != 'UNIQUE')`);
  return terms;
}

function and(terms: readonly string[]): string {
  return terms.map((t) => ` AND ${t}`).join('');
}

/**
 * One row per image and one per label of `dimension` (ARRAY JOIN): the label's
 * hash, or 0 on the image's own row (no label hashes to 0 but with odds of
 * 2^-64), so one GROUP BY counts images and labels in one pass.
 */
function imageAndLabelRows(dimension: LabelDimension): string {
  return `ARRAY JOIN arrayPushFront(${hashed(dimension)}, toUInt64(0)) AS v`;
}

/** The names of a dimension's label hashes (label_names, written by the sink before the facts). */
function labelNames(dimension: LabelDimension, params: Record<string, unknown>): string {
  params.names_of = dimension;
  return '(SELECT label_hash, any(value) AS value FROM label_names WHERE dimension = {names_of:String} GROUP BY label_hash)';
}

/**
 * The rows of image_facts that FINAL would return, in the quarters `quarters`
 * (an SQL list of parameters; all when undefined), without FINAL's merge on
 * read. The sink keeps one current state per image and, when the state leaves
 * a key, writes a deletion row there with the new version; so a live row is
 * the image's highest version (within its quarter too), and the rows FINAL
 * drops belong to images with more than one row. Every row but an image's
 * first is marked `is_update`, and the highest row of an image with more than
 * one row is such a row (merges keep the highest row of each key). Hence:
 * not deleted, and either the image has no update in these quarters or the
 * row is its highest updated version. Images are compared by `image_hash`
 * (cityHash64 of the id, 8 bytes a row instead of the id): a wrong answer
 * needs two images with one 64-bit hash in one quarter.
 */
export function liveFactTerms(quarters?: string): string[] {
  const updated = `FROM image_facts WHERE ${quarters === undefined ? '' : `quarter IN ${quarters} AND `}is_update = 1`;
  return ['is_deleted = 0', `(image_hash NOT IN (SELECT image_hash ${updated}) OR (image_hash, version) IN (SELECT image_hash, max(version) ${updated} GROUP BY image_hash))`];
}

/**
 * The trend of a quarter in one pass over the two quarters' partitions:
 * images per quarter and label counts per quarter, grouped by label hash
 * (integers, see hashed) and named from label_names afterwards (a few hundred
 * rows). Returned as maps; ranking, change and shares are computed from them
 * by the service. No FINAL: liveFactTerms.
 */
export function trendQuery(req: TrendRequest): SqlQuery {
  const params: Record<string, unknown> = { q: req.quarter, pq: req.previousQuarter };
  const quarters = '({q:String}, {pq:String})';
  const counts = (q: string): string => `mapFromArrays(groupArrayIf(l.value, t.v != 0 AND t.quarter = {${q}:String}), groupArrayIf(t.n, t.v != 0 AND t.quarter = {${q}:String}))`;
  const query = `SELECT sumIf(t.n, t.v = 0 AND t.quarter = {q:String}) AS images, sumIf(t.n, t.v = 0 AND t.quarter = {pq:String}) AS previous_images,
  ${counts('q')} AS counts, ${counts('pq')} AS previous_counts
FROM (
  SELECT quarter, v, count() AS n
  FROM image_facts
  ${imageAndLabelRows(req.dimension)}
  WHERE quarter IN ${quarters}${and([...liveFactTerms(quarters), ...filterTerms(req, params)])}
  GROUP BY quarter, v
) AS t
LEFT JOIN ${labelNames(req.dimension, params)} AS l ON l.label_hash = t.v`;
  return { query, params };
}

/** Labels (of one or every dimension) ranked by their increase over the previous quarter. No FINAL: liveFactTerms. */
export function risingQuery(req: RisingRequest): SqlQuery {
  const params: Record<string, unknown> = { q: req.quarter, pq: req.previousQuarter, limit: req.limit };
  const dims = req.dimension === undefined ? LABEL_DIMENSIONS : [req.dimension];
  const pairs = dims.map((d) => `arrayMap(v -> tuple('${column(d)}', v), ${column(d)})`).join(', ');
  const quarters = '({q:String}, {pq:String})';
  const query = `SELECT dv.1 AS dimension, dv.2 AS value, countIf(quarter = {q:String}) AS count, countIf(quarter = {pq:String}) AS previous
FROM image_facts ARRAY JOIN arrayConcat(${pairs}) AS dv
WHERE quarter IN ${quarters}${and([...liveFactTerms(quarters), ...filterTerms(req, params)])}
GROUP BY dimension, value HAVING count > previous
ORDER BY count - previous DESC, count DESC, dimension, value LIMIT {limit:UInt32}`;
  return { query, params };
}

/**
 * The followed bloggers' images in one pass over image_facts' requested
 * quarter partitions (all when none is named), without FINAL
 * (liveFactTerms): the blogger filter first (PREWHERE, on the 8-byte
 * blogger_hash: 2,000 random bloggers touch every granule of a quarter, so
 * this is a scan of that column), then the other terms on the rows left.
 * Totals and counts by label value, source and quarter come from one
 * GROUP BY GROUPING SETS over the image-and-label rows (imageAndLabelRows);
 * the outer query folds its few hundred rows into one row of maps and names
 * the labels.
 */
export function followedQuery(req: FollowedRequest): SqlQuery {
  const params: Record<string, unknown> = { bloggers: req.bloggerIds };
  const keys = ['blogger_hash IN (SELECT cityHash64(arrayJoin({bloggers:Array(String)})))'];
  let quarters: string | undefined;
  if (req.quarters.length > 0) {
    params.quarters = req.quarters;
    quarters = '{quarters:Array(String)}';
    keys.unshift(`quarter IN ${quarters}`);
  }
  const where = [...liveFactTerms(quarters), ...filterTerms(req, params)];
  const total = 't.quarter IS NULL AND t.source IS NULL AND t.v IS NULL';
  const map = (key: string, value: string, when: string): string => `mapFromArrays(groupArrayIf(${key}, ${when}), groupArrayIf(${value}, ${when}))`;
  const query = `SELECT sumIf(t.images, ${total}) AS images, sumIf(t.bloggers, ${total}) AS bloggers, sumIf(t.n - t.images, ${total}) AS labels,
  ${map('l.value', 't.n', 't.v != 0')} AS by_value,
  ${map('assumeNotNull(t.source)', 't.images', 't.source IS NOT NULL')} AS by_source,
  ${map('assumeNotNull(t.quarter)', 't.images', 't.quarter IS NOT NULL')} AS by_quarter
FROM (
  SELECT quarter, source, v, count() AS n, countIf(v = 0) AS images, uniqExactIf(blogger_hash, v = 0) AS bloggers
  FROM image_facts
  ${imageAndLabelRows(req.dimension)}
  PREWHERE ${keys.join(' AND ')}
  WHERE ${where.join(' AND ')}
  GROUP BY GROUPING SETS ((), (quarter), (source), (v))
  SETTINGS group_by_use_nulls = 1
) AS t
LEFT JOIN ${labelNames(req.dimension, params)} AS l ON l.label_hash = t.v`;
  return { query, params };
}
