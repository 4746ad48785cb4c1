import type { ClickHouseClient } from '@stylestream/clickhouse';
import { LABEL_DIMENSIONS } from '@stylestream/schemas';
import type { SqlQuery } from '../../apps/analytics/src/query/stats-queries';
import type { FollowedRequest, TrendRequest } from '../../apps/analytics/src/query/stats-request';

/**
 * The baseline: the same catalogue in a normalised schema, as a relational
 * design would hold it: one row per image (`bench_images`, by image id) and
 * one row per (image, dimension, label) (`bench_image_labels`, ordered by
 * dimension and label so a label condition is a range read). Every question
 * is answered with joins (IN-subqueries) over the two.
 */
const DDL = [
  `CREATE TABLE bench_images (image_id String, blogger_id String, quarter LowCardinality(String), source LowCardinality(String), published_at DateTime64(3, 'UTC'))
   ENGINE = MergeTree ORDER BY image_id`,
  `CREATE TABLE bench_image_labels (image_id String, dimension LowCardinality(String), value LowCardinality(String))
   ENGINE = MergeTree ORDER BY (dimension, value, image_id)`,
];

/**
 * Copies the live rows of image_facts into the normalised tables: one read of
 * image_facts (FINAL) per table; the label rows of all nine dimensions come out
 * of one ARRAY JOIN (a pass per dimension read the 10M-row table nine times
 * with FINAL). The labels table is then sorted by (dimension, value, image_id)
 * in large insert blocks, as a bulk load of that schema would be.
 */
export async function fillNormalised(client: ClickHouseClient): Promise<number> {
  for (const ddl of DDL) await client.command({ query: ddl });
  const bulk = { max_block_size: '1000000', min_insert_block_size_rows: '4000000', min_insert_block_size_bytes: '4000000000', max_insert_block_size: '4000000' };
  await client.command({ query: 'INSERT INTO bench_images SELECT image_id, blogger_id, quarter, source, published_at FROM image_facts FINAL', clickhouse_settings: bulk });
  const pairs = LABEL_DIMENSIONS.map((d) => `arrayMap(v -> tuple('${d}', v), ${d})`).join(', ');
  await client.command({
    query: `INSERT INTO bench_image_labels SELECT image_id, dv.1, dv.2 FROM image_facts FINAL ARRAY JOIN arrayConcat(${pairs}) AS dv`,
    clickhouse_settings: bulk,
  });
  const [row] = await (await client.query({ query: 'SELECT count() AS n FROM bench_image_labels', format: 'JSONEachRow' })).json<{ n: string }>();
  return Number(row.n);
}

export async function dropNormalised(client: ClickHouseClient): Promise<void> {
  await client.command({ query: 'DROP TABLE IF EXISTS bench_images' });
  await client.command({ query: 'DROP TABLE IF EXISTS bench_image_labels' });
}

/** Image ids matching the label conditions and sources of a request, as nested IN-subqueries. */
function imageFilter(req: { where: FollowedRequest['where']; sources: FollowedRequest['sources'] }, params: Record<string, unknown>, imageTerms: string[]): string {
  const terms = [...imageTerms];
  if (req.sources.length > 0) {
    params.sources = req.sources;
    terms.push('source IN {sources:Array(String)}');
  }
  req.where.forEach((c, i) => {
    params[`wd${i}`] = c.dimension;
    params[`wv${i}`] = c.value;
    terms.push(`image_id IN (SELECT image_id FROM bench_image_labels WHERE dimension = {wd${i}:String} AND value = {wv${i}:String})`);
  });
  return `SELECT image_id FROM bench_images WHERE ${terms.join(' AND ')}`;
}

/** The four followed-blogger questions of the app (totals, by label, by source, by quarter) on the normalised schema. */
export function normalisedFollowedQueries(req: FollowedRequest): SqlQuery[] {
  const base = (): { params: Record<string, unknown>; images: string } => {
    const params: Record<string, unknown> = { bloggers: req.bloggerIds, dim: req.dimension, limit: req.limit };
    const terms = ['blogger_id IN {bloggers:Array(String)}'];
    if (req.quarters.length > 0) {
      params.quarters = req.quarters;
      terms.push('quarter IN {quarters:Array(String)}');
    }
    return { params, images: imageFilter(req, params, terms) };
  };
  const totals = base();
  const byValue = base();
  const bySource = base();
  const byQuarter = base();
  return [
    {
      query: `SELECT (SELECT count() FROM bench_images WHERE image_id IN (${totals.images})) AS images,
  (SELECT uniqExact(blogger_id) FROM bench_images WHERE image_id IN (${totals.images})) AS bloggers,
  (SELECT count() FROM bench_image_labels WHERE dimension = {dim:String} AND image_id IN (${totals.images})) AS labels`,
      params: totals.params,
    },
    {
      query: `SELECT value, count() AS count FROM bench_image_labels WHERE dimension = {dim:String} AND image_id IN (${byValue.images})
GROUP BY value ORDER BY count DESC, value LIMIT {limit:UInt32}`,
      params: byValue.params,
    },
    { query: `SELECT source, count() AS count FROM bench_images WHERE image_id IN (${bySource.images}) GROUP BY source ORDER BY count DESC, source`, params: bySource.params },
    { query: `SELECT quarter, count() AS count FROM bench_images WHERE image_id IN (${byQuarter.images}) GROUP BY quarter ORDER BY quarter`, params: byQuarter.params },
  ];
}

/** The two trend questions of the app (label counts in both quarters, totals) on the normalised schema. */
export function normalisedTrendQueries(req: TrendRequest): SqlQuery[] {
  const params: Record<string, unknown> = { q: req.quarter, pq: req.previousQuarter, dim: req.dimension, limit: req.limit };
  const images = imageFilter(req, params, ['quarter IN ({q:String}, {pq:String})']);
  return [
    {
      query: `SELECT l.value AS value, countIf(i.quarter = {q:String}) AS count, countIf(i.quarter = {pq:String}) AS previous
FROM bench_image_labels AS l INNER JOIN (SELECT image_id, quarter FROM bench_images WHERE image_id IN (${images})) AS i ON i.image_id = l.image_id
WHERE l.dimension = {dim:String}
GROUP BY value ORDER BY count DESC, previous DESC, value LIMIT {limit:UInt32}`,
      params,
    },
    {
      query: `SELECT countIf(quarter = {q:String}) AS images, countIf(quarter = {pq:String}) AS previous_images FROM bench_images WHERE image_id IN (${images})`,
      params,
    },
  ];
}
