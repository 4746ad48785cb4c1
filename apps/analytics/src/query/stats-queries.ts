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

/** WHERE terms of a filter (label conditions ANDed, sources ORed, optional dedupe exclusion). */
export function filterTerms(filter: StatsFilter, params: Record<string, unknown>): string[] {
  const terms = filter.where.map((c, i) => {
    params[`w${i}`] = c.value;
    return `has(${column(c.dimension)}, {w${i}:String})`;
  });
  if (filter.sources.length > 0) {
    params.sources = filter.sources;
    terms.push('source IN {sources:Array(String)}');
  }
  if (filter.uniqueOnly) terms.push(`image_id NOT IN (SELECT image_id FROM image_dedup FINAL WHERE status != 'UNIQUE')`);
  return terms;
}

/** `{label: count}` over the rows of a group: one pass, no ARRAY JOIN (the labels of an image are distinct). */
function labelCounts(dimension: LabelDimension): string {
  return `CAST(arrayMap(v -> (v, toUInt64(1)), ${column(dimension)}), 'Map(String, UInt64)')`;
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
 * The live rows of image_facts in `quarters` (an SQL list; all when
 * undefined) as a subquery of `columns`, with `prewhere` and `filters`
 * applied. A quarter partition without any `is_update` row holds no
 * superseded row and no deletion row (both are only written for an image
 * that already had a row at that key, hence in that partition), so its rows
 * are all live; only the partitions with updates pay for liveFactTerms,
 * whose `image_hash` and `version` columns would otherwise be read for every
 * row. Two branches of one query, split by partition.
 */
export function liveRows(columns: readonly string[], prewhere: readonly string[], filters: readonly string[], quarters?: string): string {
  const updated = `(SELECT DISTINCT quarter FROM image_facts WHERE ${quarters === undefined ? '' : `quarter IN ${quarters} AND `}is_update = 1)`;
  const branch = (partitions: string, live: readonly string[]): string =>
    `SELECT ${columns.join(', ')} FROM image_facts PREWHERE ${[...prewhere, partitions].join(' AND ')} WHERE ${[...live, ...filters].join(' AND ')}`;
  return `(
  ${branch(`quarter NOT IN ${updated}`, ['is_deleted = 0'])}
  UNION ALL
  ${branch(`quarter IN ${updated}`, liveFactTerms(quarters))}
)`;
}

/**
 * Whether a question can be answered from label_counts (migration 008):
 * no label condition and no dedupe exclusion (its keys are quarter, source,
 * dimension and label).
 */
export function countsAnswer(filter: StatsFilter): boolean {
  return filter.where.length === 0 && !filter.uniqueOnly;
}

/** The source term of a label_counts read (none when every source counts). */
function sourceTerm(filter: StatsFilter, params: Record<string, unknown>): string {
  if (filter.sources.length === 0) return '';
  params.sources = filter.sources;
  return ' AND source IN {sources:Array(String)}';
}

/**
 * The trend of a quarter without label conditions, from label_counts: the
 * counts kept at insert (live rows +1, retracted rows -1), a few hundred rows
 * read instead of two quarters' label arrays. Same columns as trendQuery.
 */
export function trendCountsQuery(req: TrendRequest): SqlQuery {
  const params: Record<string, unknown> = { q: req.quarter, pq: req.previousQuarter, dim: column(req.dimension) };
  const query = `SELECT sumIf(n, quarter = {q:String} AND dimension = '') AS images, sumIf(n, quarter = {pq:String} AND dimension = '') AS previous_images,
  sumMapIf(map(label, n), quarter = {q:String} AND dimension != '') AS counts, sumMapIf(map(label, n), quarter = {pq:String} AND dimension != '') AS previous_counts
FROM (
  SELECT quarter, dimension, label, toUInt64(sum(images)) AS n FROM label_counts
  WHERE quarter IN ({q:String}, {pq:String}) AND dimension IN ('', {dim:String})${sourceTerm(req, params)}
  GROUP BY quarter, dimension, label HAVING sum(images) > 0
)`;
  return { query, params };
}

/** The top rising labels without label conditions, from label_counts. Same columns and order as risingQuery. */
export function risingCountsQuery(req: RisingRequest): SqlQuery {
  const params: Record<string, unknown> = { q: req.quarter, pq: req.previousQuarter, limit: req.limit };
  let dims = "dimension != ''";
  if (req.dimension !== undefined) {
    params.dim = column(req.dimension);
    dims = 'dimension = {dim:String}';
  }
  const query = `SELECT dimension, label AS value, sumIf(images, quarter = {q:String}) AS count, sumIf(images, quarter = {pq:String}) AS previous
FROM label_counts
WHERE quarter IN ({q:String}, {pq:String}) AND ${dims}${sourceTerm(req, params)}
GROUP BY dimension, value HAVING count > previous
ORDER BY count - previous DESC, count DESC, dimension, value LIMIT {limit:UInt32}`;
  return { query, params };
}

/**
 * The trend of a quarter in one pass over the two quarters' partitions:
 * images per quarter and label counts per quarter (maps; ranking, change and
 * shares are computed from them by the service). No FINAL: liveRows.
 */
export function trendQuery(req: TrendRequest): SqlQuery {
  const params: Record<string, unknown> = { q: req.quarter, pq: req.previousQuarter };
  const labels = labelCounts(req.dimension);
  const quarters = '({q:String}, {pq:String})';
  const rows = liveRows(['quarter', column(req.dimension)], [`quarter IN ${quarters}`], filterTerms(req, params), quarters);
  const query = `SELECT countIf(quarter = {q:String}) AS images, countIf(quarter = {pq:String}) AS previous_images,
  sumMapIf(${labels}, quarter = {q:String}) AS counts, sumMapIf(${labels}, quarter = {pq:String}) AS previous_counts
FROM ${rows}`;
  return { query, params };
}

/** Labels (of one or every dimension) ranked by their increase over the previous quarter. No FINAL: liveRows. */
export function risingQuery(req: RisingRequest): SqlQuery {
  const params: Record<string, unknown> = { q: req.quarter, pq: req.previousQuarter, limit: req.limit };
  const dims = req.dimension === undefined ? LABEL_DIMENSIONS : [req.dimension];
  const pairs = dims.map((d) => `arrayMap(v -> tuple('${column(d)}', v), ${column(d)})`).join(', ');
  const quarters = '({q:String}, {pq:String})';
  const query = `SELECT dv.1 AS dimension, dv.2 AS value, countIf(quarter = {q:String}) AS count, countIf(quarter = {pq:String}) AS previous
FROM ${liveRows(['quarter', ...dims.map(column)], [`quarter IN ${quarters}`], filterTerms(req, params), quarters)} ARRAY JOIN arrayConcat(${pairs}) AS dv
GROUP BY dimension, value HAVING count > previous
ORDER BY count - previous DESC, count DESC, dimension, value LIMIT {limit:UInt32}`;
  return { query, params };
}

/**
 * The followed bloggers' images from facts_by_blogger (migration 009), the
 * signed copy ordered by blogger hash: the question reads its bloggers'
 * ranges only (image_facts, quarter-first, has them in every granule). Live
 * rows count +1 and retraction rows -1 with identical content, so every sum
 * under the label and source filters is exact; a blogger has images when
 * their net count is positive. Same columns as followedScanQuery.
 *
 * The copy serves questions over all quarters or more than
 * FOLLOWED_SCAN_MAX_QUARTERS of them. One or two quarters scan image_facts'
 * partitions instead: the copy would read each blogger's ranges over every
 * quarter and drop most rows (at 10M rows, one quarter: 128 ms p95 from the
 * copy against 73 ms from the scan; all quarters: 185 against 242 ms).
 * Questions with `uniqueOnly` need the image ids, which the copy does not
 * hold: they scan image_facts too.
 */
export const FOLLOWED_SCAN_MAX_QUARTERS = 2;

export function followedQuery(req: FollowedRequest): SqlQuery {
  if (req.uniqueOnly || (req.quarters.length > 0 && req.quarters.length <= FOLLOWED_SCAN_MAX_QUARTERS)) return followedScanQuery(req);
  const params: Record<string, unknown> = { bloggers: req.bloggerIds };
  const where = ['blogger_hash IN (SELECT cityHash64(arrayJoin({bloggers:Array(String)})))'];
  if (req.quarters.length > 0) {
    params.quarters = req.quarters;
    where.push('quarter IN {quarters:Array(String)}');
  }
  where.push(...filterTerms(req, params));
  const dim = column(req.dimension);
  const nonZero = (m: string): string => `mapFilter((k, v) -> v != 0, ${m})`;
  const query = `SELECT sum(n) AS images, countIf(n > 0) AS bloggers, sum(l) AS labels,
  ${nonZero('sumMap(v)')} AS by_value, ${nonZero('sumMap(s)')} AS by_source, ${nonZero('sumMap(qs)')} AS by_quarter
FROM (
  SELECT blogger_hash, sum(sign) AS n, sum(sign * length(${dim})) AS l,
    sumMap(CAST(arrayMap(x -> (x, toInt64(sign)), ${dim}), 'Map(String, Int64)')) AS v,
    sumMap(map(source, toInt64(sign))) AS s, sumMap(map(quarter, toInt64(sign))) AS qs
  FROM facts_by_blogger
  WHERE ${where.join(' AND ')}
  GROUP BY blogger_hash
)`;
  return { query, params };
}

/**
 * The followed bloggers' images in one pass over image_facts' requested
 * quarter partitions (all when none is named), without FINAL
 * (liveRows): totals and counts by label value, source and quarter.
 * The blogger filter comes first (PREWHERE) on the 8-byte blogger_hash
 * (migration 007): 2,000 random bloggers touch every granule of a quarter,
 * so the filter is a scan of that column, half the cost of the id strings.
 * The other terms apply to the rows left.
 */
export function followedScanQuery(req: FollowedRequest): SqlQuery {
  const params: Record<string, unknown> = { bloggers: req.bloggerIds };
  const keys = ['blogger_hash IN (SELECT cityHash64(arrayJoin({bloggers:Array(String)})))'];
  let quarters: string | undefined;
  if (req.quarters.length > 0) {
    params.quarters = req.quarters;
    quarters = '{quarters:Array(String)}';
    keys.unshift(`quarter IN ${quarters}`);
  }
  const dim = column(req.dimension);
  const rows = liveRows(['blogger_hash', 'source', 'quarter', dim], keys, filterTerms(req, params), quarters);
  const query = `SELECT count() AS images, uniqExact(blogger_hash) AS bloggers, sum(length(${dim})) AS labels,
  sumMap(${labelCounts(req.dimension)}) AS by_value, sumMap(map(source, toUInt64(1))) AS by_source, sumMap(map(quarter, toUInt64(1))) AS by_quarter
FROM ${rows}`;
  return { query, params };
}
