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

function and(terms: readonly string[]): string {
  return terms.map((t) => ` AND ${t}`).join('');
}

/** Label counts of one dimension in a quarter and the one before. */
export function trendValuesQuery(req: TrendRequest): SqlQuery {
  const params: Record<string, unknown> = { q: req.quarter, pq: req.previousQuarter, limit: req.limit };
  const query = `SELECT value, countIf(quarter = {q:String}) AS count, countIf(quarter = {pq:String}) AS previous
FROM image_facts FINAL ARRAY JOIN ${column(req.dimension)} AS value
WHERE quarter IN ({q:String}, {pq:String})${and(filterTerms(req, params))}
GROUP BY value ORDER BY count DESC, previous DESC, value LIMIT {limit:UInt32}`;
  return { query, params };
}

/** Images and label occurrences of the dimension in both quarters (denominators of the shares). */
export function trendTotalsQuery(req: TrendRequest): SqlQuery {
  const params: Record<string, unknown> = { q: req.quarter, pq: req.previousQuarter };
  const dim = column(req.dimension);
  const query = `SELECT countIf(quarter = {q:String}) AS images, countIf(quarter = {pq:String}) AS previous_images,
  sumIf(length(${dim}), quarter = {q:String}) AS labels, sumIf(length(${dim}), quarter = {pq:String}) AS previous_labels
FROM image_facts FINAL
WHERE quarter IN ({q:String}, {pq:String})${and(filterTerms(req, params))}`;
  return { query, params };
}

/** Labels (of one or every dimension) ranked by their increase over the previous quarter. */
export function risingQuery(req: RisingRequest): SqlQuery {
  const params: Record<string, unknown> = { q: req.quarter, pq: req.previousQuarter, limit: req.limit };
  const dims = req.dimension === undefined ? LABEL_DIMENSIONS : [req.dimension];
  const pairs = dims.map((d) => `arrayMap(v -> tuple('${column(d)}', v), ${column(d)})`).join(', ');
  const query = `SELECT dv.1 AS dimension, dv.2 AS value, countIf(quarter = {q:String}) AS count, countIf(quarter = {pq:String}) AS previous
FROM image_facts FINAL ARRAY JOIN arrayConcat(${pairs}) AS dv
WHERE quarter IN ({q:String}, {pq:String})${and(filterTerms(req, params))}
GROUP BY dimension, value HAVING count > previous
ORDER BY count - previous DESC, count DESC, dimension, value LIMIT {limit:UInt32}`;
  return { query, params };
}

function followedWhere(req: FollowedRequest, params: Record<string, unknown>): string {
  params.bloggers = req.bloggerIds;
  const terms = ['blogger_id IN {bloggers:Array(String)}'];
  if (req.quarters.length > 0) {
    params.quarters = req.quarters;
    terms.unshift('quarter IN {quarters:Array(String)}');
  }
  return `WHERE ${[...terms, ...filterTerms(req, params)].join(' AND ')}`;
}

/** The followed bloggers' images: totals, and counts by label value, by source and by quarter. */
export function followedQueries(req: FollowedRequest): { totals: SqlQuery; byValue: SqlQuery; bySource: SqlQuery; byQuarter: SqlQuery } {
  const p = (): Record<string, unknown> => ({ limit: req.limit });
  const build = (select: string, tail: string, arrayJoin = ''): SqlQuery => {
    const params = p();
    return { query: `SELECT ${select} FROM image_facts FINAL${arrayJoin} ${followedWhere(req, params)}${tail}`, params };
  };
  return {
    totals: build(`count() AS images, uniqExact(blogger_id) AS bloggers, sum(length(${column(req.dimension)})) AS labels`, ''),
    byValue: build('value, count() AS count', ' GROUP BY value ORDER BY count DESC, value LIMIT {limit:UInt32}', ` ARRAY JOIN ${column(req.dimension)} AS value`),
    bySource: build('source, count() AS count', ' GROUP BY source ORDER BY count DESC, source'),
    byQuarter: build('quarter, count() AS count', ' GROUP BY quarter ORDER BY quarter'),
  };
}
