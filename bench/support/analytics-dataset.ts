import { loadavg } from 'node:os';
import type { ClickHouseClient } from '@stylestream/clickhouse';
import { LABEL_DIMENSIONS, type LabelDimension } from '@stylestream/schemas';

/**
 * A synthetic catalogue generated inside ClickHouse (INSERT ... SELECT from
 * numbers(), every column a deterministic hash of the row number and a salt),
 * so 10M rows take minutes, not an hour of Avro encoding. It goes into the
 * app's own `image_facts` (same migrations, same ordering) and is the same
 * data every run.
 *
 * - 100,000 bloggers, image counts skewed (a shifted log-uniform rank, i.e.
 *   Zipf with exponent 1: the top blogger has ~0.25% of all images, the median
 *   one a few dozen at 10M rows); blogger ids are scattered over the ranks.
 * - 8 quarters 2024Q1..2025Q4, volume growing linearly.
 * - 9 label dimensions, 1,050 labels in all; per dimension 0..3 labels per
 *   image, values Zipf-distributed; 30% of draws drift with the quarter so
 *   labels rise and fall.
 * - 6 sources, social-heavy.
 */
export const BENCH_BLOGGERS = 100_000;
export const BENCH_QUARTERS = ['2024Q1', '2024Q2', '2024Q3', '2024Q4', '2025Q1', '2025Q2', '2025Q3', '2025Q4'] as const;

/** Vocabulary size and [min, max] labels per image for each dimension. */
export const BENCH_LABELS: Record<LabelDimension, { readonly size: number; readonly min: number; readonly max: number }> = {
  category: { size: 150, min: 1, max: 1 },
  fabric: { size: 120, min: 1, max: 2 },
  texture: { size: 80, min: 0, max: 1 },
  process: { size: 60, min: 0, max: 1 },
  accessory: { size: 200, min: 0, max: 2 },
  style: { size: 150, min: 1, max: 2 },
  silhouette: { size: 60, min: 1, max: 1 },
  collar: { size: 50, min: 0, max: 1 },
  color: { size: 180, min: 1, max: 3 },
};

export const benchLabel = (dimension: LabelDimension, index: number): string => `${dimension}-${index}`;
export const benchBlogger = (index: number): string => `blogger-${index}`;

/** A uniform draw in [0, 1) from the row number and a salt. */
const u = (salt: number): string => `(cityHash64(number, ${salt}) / 18446744073709551616.0)`;

function labelsExpression(dimension: LabelDimension, salt: number): string {
  const { size, min, max } = BENCH_LABELS[dimension];
  const rank = (s: number): string => `toUInt32(pow(${size}, ${u(s)}))`; // 1..size, P(r) ~ 1/r
  const drifting = (s: number): string => `((${rank(s)} - 1 + q * (1 + ${rank(s)} % 3)) % ${size} + 1)`;
  const draw = (s: number): string => `${dimension}_vocab[if(${u(s + 5)} < 0.3, ${drifting(s)}, ${rank(s)})]`;
  const count = min === max ? `${min}` : `(${min} + toUInt8(${u(salt * 10 + 9)} * ${max - min + 1}))`;
  const items = Array.from({ length: max }, (_, k) => draw(salt * 10 + k));
  const array = `arraySlice([${items.join(', ')}], 1, ${count})`;
  return `${max > 1 ? `arrayDistinct(${array})` : array} AS ${dimension}`;
}

/** The SELECT of one quarter's rows (`{quarter:UInt8}` 0..7) of an `rows`-row catalogue, with image_facts' columns. */
export function datasetSelect(rows: number): string {
  const vocabularies = LABEL_DIMENSIONS.map((d) => `[${Array.from({ length: BENCH_LABELS[d].size }, (_, i) => `'${benchLabel(d, i)}'`).join(',')}] AS ${d}_vocab`);
  const c = 50;
  const quarterStartSeconds = Date.UTC(2024, 0, 1) / 1000;
  return `WITH ${vocabularies.join(',\n  ')}
SELECT
  concat('img-', toString(number)) AS image_id,
  [${BENCH_QUARTERS.map((q) => `'${q}'`).join(',')}][q + 1] AS quarter,
  concat('blogger-', toString((toUInt32(exp(log(${c}) + ${u(2)} * (log(${BENCH_BLOGGERS + c}) - log(${c})))) - ${c}) * 7919 % ${BENCH_BLOGGERS})) AS blogger_id,
  ['social','social','social','ecommerce','ecommerce','retail','street','runway','wholesale'][1 + toUInt32(${u(3)} * 9)] AS source,
  toDateTime64(${quarterStartSeconds} + q * 7862400 + toUInt32(${u(4)} * 7776000), 3, 'UTC') AS published_at,
  published_at + 3600 AS crawled_at,
  ${LABEL_DIMENSIONS.map((d, i) => labelsExpression(d, 10 + i)).join(',\n  ')},
  number AS version,
  0 AS is_deleted,
  0 AS is_update,
  0 AS retracts
FROM (SELECT number, toUInt8(8 * sqrt(${u(1)})) AS q FROM numbers(${rows})) WHERE q = {quarter:UInt8}`;
}

/** The INSERT of one quarter's rows (`{quarter:UInt8}` 0..7) of an `rows`-row catalogue into `image_facts`. */
export function datasetInsert(rows: number): string {
  return `INSERT INTO image_facts\n${datasetSelect(rows)}`;
}

/** Large blocks: one part per quarter and insert, not one per 65k-row block (each part costs a fixed write). */
const BULK_SETTINGS = {
  max_block_size: '2000000',
  min_insert_block_size_rows: '2000000',
  min_insert_block_size_bytes: '4000000000',
  max_insert_block_size: '2000000',
  optimize_on_insert: 0,
} as const;

export interface GenerateOptions {
  /**
   * Merge what background merges would have merged by the time the last
   * quarter is live: in image_facts every closed quarter's partition. The
   * last quarter keeps its freshly inserted parts.
   */
  readonly settle: boolean;
}

/** Fills image_facts quarter by quarter; returns the row count. */
export async function generateCatalogue(client: ClickHouseClient, rows: number, progress: (line: string) => void, options: GenerateOptions): Promise<number> {
  const select = datasetSelect(rows);
  const since = (started: number): string => `${((Date.now() - started) / 1000).toFixed(1)} s (load ${loadavg()[0].toFixed(1)})`;
  for (let quarter = 0; quarter < BENCH_QUARTERS.length; quarter++) {
    const name = BENCH_QUARTERS[quarter];
    const started = Date.now();
    await client.command({ query: `INSERT INTO image_facts\n${select}`, query_params: { quarter }, clickhouse_settings: BULK_SETTINGS });
    progress(`  ${name} generated in ${since(started)}`);
  }
  if (options.settle) await settleClosedQuarters(client, progress);
  const [count] = await (await client.query({ query: 'SELECT count() AS n FROM image_facts', format: 'JSONEachRow' })).json<{ n: string }>();
  return Number(count.n);
}

/** Share of the live quarter's images re-published at the same key (new labels) and taken down by `applyChurn`, per mille. */
export const CHURN = { republishedPerMille: 10, takenDownPerMille: 2 } as const;

/**
 * Updates in the live quarter, as the sink writes them: 1% of its images
 * re-published at the same key with other labels (a row with a higher
 * version, marked `is_update`, and a retraction row of the old row at its
 * version) and 0.2% taken down (deletion rows carrying the old content), in
 * one more insert, so the questions meet superseded rows (FINAL collapses
 * them; the trend questions skip them by liveFactTerms; label_counts takes
 * them back). Versions stay above every generated one (row numbers < rows).
 */
export async function applyChurn(client: ClickHouseClient, rows: number): Promise<number> {
  const live = BENCH_QUARTERS[BENCH_QUARTERS.length - 1];
  const republished = LABEL_DIMENSIONS.map((d) => (d === 'color' ? `['${benchLabel('color', 0)}'] AS color` : d)).join(', ');
  const pick = (lo: number, hi: number): string => `cityHash64(image_id, 77) % 1000 >= ${lo} AND cityHash64(image_id, 77) % 1000 < ${hi}`;
  const { republishedPerMille: r, takenDownPerMille: t } = CHURN;
  const content = ['source', 'published_at', 'crawled_at', ...LABEL_DIMENSIONS].join(', ');
  const changes = `SELECT blogger_id, quarter, image_id, source, published_at, crawled_at, ${republished}, version + ${rows} AS version, 0 AS is_deleted, 1 AS is_update, 0 AS retracts
FROM image_facts WHERE quarter = '${live}' AND ${pick(0, r)}
UNION ALL
SELECT blogger_id, quarter, image_id, ${content}, version, 1 AS is_deleted, 1 AS is_update, 1 AS retracts
FROM image_facts WHERE quarter = '${live}' AND ${pick(0, r)}
UNION ALL
SELECT blogger_id, quarter, image_id, ${content}, version + ${2 * rows} AS version, 1 AS is_deleted, 1 AS is_update, 1 AS retracts
FROM image_facts WHERE quarter = '${live}' AND ${pick(r, r + t)}`;
  const facts = ['blogger_id', 'quarter', 'image_id', ...content.split(', '), 'version', 'is_deleted', 'is_update', 'retracts'].join(', ');
  await client.command({ query: `INSERT INTO image_facts (${facts}) SELECT * FROM (${changes})` });
  const [count] = await (await client.query({ query: `SELECT count() AS n FROM image_facts WHERE version >= ${rows}`, format: 'JSONEachRow' })).json<{ n: string }>();
  return Number(count.n);
}

/** A description of the generated data, for the report (blogger skew, label count; only the parts when not `full`). */
export async function describeCatalogue(client: ClickHouseClient, full = true): Promise<Record<string, unknown>> {
  const all = LABEL_DIMENSIONS.join(', ');
  const partsOf = (table: string, name: string): string => `(SELECT count() FROM system.parts WHERE table = '${table}' AND active AND database = currentDatabase()) AS ${name}_parts,
  (SELECT formatReadableSize(sum(bytes_on_disk)) FROM system.parts WHERE table = '${table}' AND active AND database = currentDatabase()) AS ${name}_on_disk`;
  const parts = `${partsOf('image_facts', 'facts')},
  ${partsOf('facts_by_blogger', 'by_blogger')}`;
  if (!full) {
    const [row] = await (await client.query({ query: `SELECT ${parts}`, format: 'JSONEachRow' })).json<Record<string, unknown>>();
    return row;
  }
  const query = `SELECT
  (SELECT uniqExact(blogger_id) FROM image_facts) AS bloggers,
  (SELECT quantiles(0.5, 0.9, 0.99)(c) FROM (SELECT count() AS c FROM image_facts GROUP BY blogger_id)) AS images_per_blogger_p50_p90_p99,
  (SELECT max(c) FROM (SELECT count() AS c FROM image_facts GROUP BY blogger_id)) AS images_top_blogger,
  (SELECT uniqExact(v) FROM image_facts ARRAY JOIN arrayConcat(${all}) AS v) AS distinct_labels,
  (SELECT round(avg(length(arrayConcat(${all}))), 2) FROM image_facts) AS labels_per_image,
  ${parts}`;
  const [row] = await (await client.query({ query, format: 'JSONEachRow' })).json<Record<string, unknown>>();
  return row;
}

/**
 * Merges every quarter but the last into one part, as background merges leave
 * closed quarters in production (FINAL then has nothing to collapse there);
 * the last quarter keeps its freshly inserted parts, like the live one.
 */
export async function settleClosedQuarters(client: ClickHouseClient, progress: (line: string) => void): Promise<void> {
  for (const quarter of BENCH_QUARTERS.slice(0, -1)) {
    const started = Date.now();
    await client.command({ query: 'OPTIMIZE TABLE image_facts PARTITION {quarter:String} FINAL', query_params: { quarter } });
    progress(`  image_facts ${quarter} merged in ${((Date.now() - started) / 1000).toFixed(1)} s (load ${loadavg()[0].toFixed(1)})`);
  }
}
