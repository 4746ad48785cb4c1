import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { type ClickHouseClient, applyMigrations, createClickHouseClient, readMigrations } from '@stylestream/clickhouse';
import { AnalyticsQueryService, type FollowedBloggerStats } from '../apps/analytics/src/query/analytics-query.service';
import { ClickHouseSqlRunner } from '../apps/analytics/src/query/sql-runner';
import { type SqlQuery, countsAnswer, filterTerms, followedScanQuery, risingQuery, trendQuery } from '../apps/analytics/src/query/stats-queries';
import type { RisingRequest, TrendRequest } from '../apps/analytics/src/query/stats-request';
import { BENCH_QUARTERS, CHURN, applyChurn, describeCatalogue, generateCatalogue } from './support/analytics-dataset';
import { measureIngest } from './support/analytics-ingest';
import { fillNormalised, normalisedFollowedQueries, normalisedTrendQueries } from './support/analytics-normalised';
import { AnalyticsWorkload, measure } from './support/analytics-workload';

/**
 * `npm run bench -- analytics [--quick] [--rows=N] [--followed-only] [--queries=N] [--baseline-queries=N] [--ingest=N] [--unsettled]`
 * on the embedded engine (chdb) in a temporary directory, deleted at the end:
 * 1. sink ingestion: image-arrived events through Kafka and the app's sink into empty tables;
 * 2. a generated catalogue of N rows (10M; 1M with --quick) in the app's image_facts (its
 *    migrations; generated inside the engine), closed quarters merged as
 *    background merges would leave them (not with --unsettled), 1% / 0.2% of the live quarter
 *    re-published / taken down, then background merges stopped while the questions run;
 * 3. followed-blogger statistics (random 2,000-blogger sets; one quarter, all quarters) and
 *    quarter trend statistics through the app's AnalyticsQueryService (the SQL the API runs);
 * 4. the same questions on a normalised copy (images + one row per label) as the baseline,
 *    after checking both schemas give the same answers.
 * --followed-only runs 2 and the followed questions of 3 (the 50M-row run). Every figure line carries the 1-minute load average:
 * wall times on the shared machine are inflated by it, CPU times are not.
 * Last line: {"bench":"analytics","rows":..,"followed_p95_ms":..,...}.
 */
export async function run(args: string[]): Promise<void> {
  const quick = args.includes('--quick');
  const followedOnly = args.includes('--followed-only');
  const arg = (name: string): number | undefined => {
    const v = args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
    return v === undefined ? undefined : Number(v);
  };
  const rows = arg('rows') ?? (quick ? 1_000_000 : 10_000_000);
  const queries = arg('queries') ?? (quick ? 40 : 100);
  const baselineQueries = arg('baseline-queries') ?? Math.max(5, Math.round(queries / 4));
  const ingestEvents = arg('ingest') ?? (quick ? 10_000 : 50_000);
  process.env.KAFKAJS_NO_PARTITIONER_WARNING ??= '1';
  const logger = pino({ level: 'warn' });
  const log = (line: string): boolean => process.stderr.write(`${line}\n`);
  const dir = mkdtempSync(join(tmpdir(), 'bench-analytics-'));
  const client = createClickHouseClient({ kind: 'embedded', path: join(dir, 'clickhouse') });
  const result: Record<string, unknown> = { bench: 'analytics', quick, rows, cpus: cpus().length, load_avg_1m_start: Number(loadavg()[0].toFixed(1)) };
  try {
    await applyMigrations(client, readMigrations());
    const layouts = await (
      await client.query({
        query: "SELECT name, sorting_key, partition_key, extract(engine_full, 'index_granularity = ([0-9]+)') AS granularity FROM system.tables WHERE name LIKE 'image_facts%' AND database = currentDatabase() ORDER BY name",
        format: 'JSONEachRow',
      })
    ).json<Record<string, string>>();
    for (const t of layouts) log(`${t.name}: ORDER BY (${t.sorting_key})${t.partition_key === '' ? '' : `, PARTITION BY ${t.partition_key}`}, index_granularity ${t.granularity === '' ? 8192 : t.granularity}`);
    const load = (): string => `load ${loadavg()[0].toFixed(1)}`;

    if (!followedOnly) {
      const ingest = await measureIngest(client, ingestEvents, logger);
      log(`sink ingestion: ${ingest.events} image-arrived events over ${ingest.partitions} partitions: ${ingest.rps} rows/s steady, ${ingest.rpsFromStart} rows/s from consumer start (group join included)`);
      Object.assign(result, { ingest_rps: ingest.rps, ingest_rps_from_start: ingest.rpsFromStart, ingest_events: ingest.events });
      for (const table of ['image_facts', 'image_dedup', 'index_progress', 'label_counts', 'facts_by_blogger']) await client.command({ query: `TRUNCATE TABLE ${table}` });
    }

    const settle = !args.includes('--unsettled');
    log(`generating ${rows.toLocaleString('en')} rows into image_facts${settle ? ', closed quarters merged' : ''} ...`);
    const genStart = Date.now();
    result.rows = await generateCatalogue(client, rows, log, { settle });
    result.generate_s = Math.round((Date.now() - genStart) / 1000);
    result.churn_rows = await applyChurn(client, rows);
    log(`live quarter updates: ${Number(result.churn_rows).toLocaleString('en')} rows (re-published at the same key ${CHURN.republishedPerMille}‰, taken down ${CHURN.takenDownPerMille}‰)`);
    // The layout measured is the one described: no background merge changes it (or takes CPU) while questions run.
    await stopMerges(client, ['image_facts', 'facts_by_blogger']);
    const shape = await describeCatalogue(client, !followedOnly);
    log(`catalogue: ${JSON.stringify(shape)}`);

    const queriesOf = new AnalyticsQueryService(new ClickHouseSqlRunner(client));
    const work = new AnalyticsWorkload(2026);
    const followedQuarter = Array.from({ length: queries + 3 }, () => work.followed('quarter'));
    const followedAll = Array.from({ length: queries + 3 }, () => work.followed('all'));
    const trends = Array.from({ length: queries + 3 }, () => work.trend());
    const at = <T>(xs: readonly T[], i: number): T => xs[i < 0 ? xs.length + i : i];

    // The followed questions read the signed blogger-ordered copy: it must answer as the scan of image_facts does.
    for (const req of [followedAll[0], followedAll[1], { ...followedAll[2], quarters: BENCH_QUARTERS.slice(-3) }, { ...followedAll[3], quarters: BENCH_QUARTERS.slice(0, 4) }]) await sameFollowed(queriesOf, new ClickHouseSqlRunner(client), req);
    log('facts_by_blogger answers = image_facts answers (followed: all quarters, the last three with the live one, the first four)');
    const fq = await measure(queries, 3, (i) => queriesOf.followed(at(followedQuarter, i)));
    log(`followed bloggers, one quarter (2,000 bloggers): p50 ${fq.p50} ms, p95 ${fq.p95} ms, max ${fq.max} ms; CPU p50 ${fq.cpuP50} ms, p95 ${fq.cpuP95} ms; ${load()}`);
    const fa = await measure(queries, 3, (i) => queriesOf.followed(at(followedAll, i)));
    log(`followed bloggers, all quarters (2,000 bloggers): p50 ${fa.p50} ms, p95 ${fa.p95} ms, max ${fa.max} ms; CPU p50 ${fa.cpuP50} ms, p95 ${fa.cpuP95} ms; ${load()}`);
    Object.assign(result, { followed_p95_ms: fq.p95, followed_p50_ms: fq.p50, followed_all_p95_ms: fa.p95, followed_all_p50_ms: fa.p50, followed_cpu_p95_ms: fq.cpuP95, followed_cpu_p50_ms: fq.cpuP50, followed_all_cpu_p95_ms: fa.cpuP95, followed_all_cpu_p50_ms: fa.cpuP50 });

    if (!followedOnly) {
      // The trend questions read image_facts without FINAL: they must answer as FINAL does, on the live quarter too.
      const conditioned = trends.find((t) => t.where.length > 0) ?? trends[0];
      for (const like of [trends[0], conditioned]) {
        for (const quarter of [BENCH_QUARTERS[BENCH_QUARTERS.length - 1], BENCH_QUARTERS[3]]) await sameTrend(new ClickHouseSqlRunner(client), { ...like, quarter, previousQuarter: previousOf(quarter) });
      }
      // Questions without label conditions read label_counts: they must answer as the scan of image_facts does.
      await sameCounts(queriesOf, new ClickHouseSqlRunner(client), trends[0]);
      log('label_counts answers = image_facts answers (trend and rising without conditions, every quarter, with and without a source filter)');
      const tr = await measure(queries, 3, (i) => queriesOf.trend(at(trends, i)));
      const fromCounts = trends.slice(0, queries).filter(countsAnswer).length;
      log(`quarter trend: p50 ${tr.p50} ms, p95 ${tr.p95} ms, max ${tr.max} ms; CPU p50 ${tr.cpuP50} ms, p95 ${tr.cpuP95} ms; ${fromCounts} of ${queries} without label conditions (label_counts); ${load()}`);
      Object.assign(result, { trend_p95_ms: tr.p95, trend_p50_ms: tr.p50, trend_cpu_p95_ms: tr.cpuP95, trend_cpu_p50_ms: tr.cpuP50 });

      log(`normalised baseline: copying ... (${load()})`);
      const fillStart = Date.now();
      const labelRows = await fillNormalised(client);
      await stopMerges(client, ['bench_images', 'bench_image_labels']);
      const fillS = Math.round((Date.now() - fillStart) / 1000);
      result.baseline_fill_s = fillS;
      log(`normalised baseline: ${labelRows.toLocaleString('en')} label rows in ${fillS} s (${load()})`);
      const sql = new ClickHouseSqlRunner(client);
      const all = (qs: SqlQuery[]): Promise<unknown[]> => Promise.all(qs.map((q) => sql.rows(q)));
      await sameAnswers(queriesOf, sql, followedQuarter[0]);
      await sameAnswers(queriesOf, sql, followedAll[0]);
      const bq = await measure(baselineQueries, 1, (i) => all(normalisedFollowedQueries(at(followedQuarter, i))));
      log(`baseline followed, one quarter: p50 ${bq.p50} ms, p95 ${bq.p95} ms (${(bq.p95 / fq.p95).toFixed(1)}x the wide table); CPU p95 ${bq.cpuP95} ms (${(bq.cpuP95 / fq.cpuP95).toFixed(1)}x); ${load()}`);
      const ba = await measure(baselineQueries, 1, (i) => all(normalisedFollowedQueries(at(followedAll, i))));
      log(`baseline followed, all quarters: p50 ${ba.p50} ms, p95 ${ba.p95} ms (${(ba.p95 / fa.p95).toFixed(1)}x); CPU p95 ${ba.cpuP95} ms (${(ba.cpuP95 / fa.cpuP95).toFixed(1)}x); ${load()}`);
      const bt = await measure(baselineQueries, 1, (i) => all(normalisedTrendQueries(at(trends, i))));
      log(`baseline trend: p50 ${bt.p50} ms, p95 ${bt.p95} ms (${(bt.p95 / tr.p95).toFixed(1)}x); CPU p95 ${bt.cpuP95} ms (${(bt.cpuP95 / tr.cpuP95).toFixed(1)}x); ${load()}`);
      Object.assign(result, { baseline_followed_p95_ms: bq.p95, baseline_followed_all_p95_ms: ba.p95, baseline_trend_p95_ms: bt.p95, baseline_followed_cpu_p95_ms: bq.cpuP95, baseline_followed_all_cpu_p95_ms: ba.cpuP95, baseline_trend_cpu_p95_ms: bt.cpuP95, baseline_label_rows: labelRows });
    }
    Object.assign(result, { queries, load_avg_1m_end: Number(loadavg()[0].toFixed(1)), ...shape });
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    await client.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The baseline must answer the same question: compare one followed answer of both schemas. */
async function sameAnswers(app: AnalyticsQueryService, sql: ClickHouseSqlRunner, req: Parameters<AnalyticsQueryService['followed']>[0]): Promise<void> {
  const wide: FollowedBloggerStats = await app.followed(req);
  const [totals, byValue] = await Promise.all(normalisedFollowedQueries(req).slice(0, 2).map((q) => sql.rows<Record<string, string | number>>(q)));
  const same = Number(totals[0].images) === wide.images && byValue.every((v, i) => wide.byValue[i]?.value === v.value && wide.byValue[i]?.count === Number(v.count));
  if (!same) throw new Error(`baseline and wide table disagree: ${JSON.stringify({ wide: wide.images, normalised: totals[0] })}`);
}

/** The app's answer assembly over one given statement, whatever SQL the app itself would pick. */
const answering = (sql: ClickHouseSqlRunner, query: SqlQuery): AnalyticsQueryService => new AnalyticsQueryService({ rows: <T>(): Promise<T[]> => sql.rows<T>(query) });

const previousOf = (quarter: string): string => BENCH_QUARTERS[BENCH_QUARTERS.indexOf(quarter as (typeof BENCH_QUARTERS)[number]) - 1];

/** The trend without FINAL (the app's SQL: liveRows) equals the same question over FINAL. */
async function sameTrend(sql: ClickHouseSqlRunner, req: TrendRequest): Promise<void> {
  const params: Record<string, unknown> = { q: req.quarter, pq: req.previousQuarter };
  const labels = `CAST(arrayMap(v -> (v, toUInt64(1)), ${req.dimension}), 'Map(String, UInt64)')`;
  const final: SqlQuery = {
    query: `SELECT countIf(quarter = {q:String}) AS images, countIf(quarter = {pq:String}) AS previous_images,
  sumMapIf(${labels}, quarter = {q:String}) AS counts, sumMapIf(${labels}, quarter = {pq:String}) AS previous_counts
FROM image_facts FINAL WHERE quarter IN ({q:String}, {pq:String})${filterTerms(req, params)
      .map((t) => ` AND ${t}`)
      .join('')}`,
    params,
  };
  const withFinal = await answering(sql, final).trend(req);
  const withoutFinal = await answering(sql, trendQuery(req)).trend(req);
  if (JSON.stringify(withoutFinal) !== JSON.stringify(withFinal)) throw new Error(`trend without FINAL differs from FINAL for ${req.quarter}: ${JSON.stringify({ withoutFinal: withoutFinal.images, withFinal: withFinal.images })}`);
}

/** Trend and rising questions without label conditions (label_counts) equal the scan of image_facts (the SQL for questions with conditions). */
async function sameCounts(app: AnalyticsQueryService, sql: ClickHouseSqlRunner, like: TrendRequest): Promise<void> {
  for (const quarter of BENCH_QUARTERS.slice(1)) {
    for (const sources of [[], ['social', 'retail']] as const) {
      const trend: TrendRequest = { ...like, quarter, previousQuarter: previousOf(quarter), where: [], sources, uniqueOnly: false, limit: 1000 };
      const [fromCounts, fromScan] = [await app.trend(trend), await answering(sql, trendQuery(trend)).trend(trend)];
      if (JSON.stringify(fromCounts) !== JSON.stringify(fromScan)) {
        throw new Error(`trend from label_counts differs from the scan (${quarter}, sources ${sources.join(',')}): ${JSON.stringify({ fromCounts: fromCounts.values.slice(0, 3), fromScan: fromScan.values.slice(0, 3) })}`);
      }
      const rising: RisingRequest = { quarter, previousQuarter: previousOf(quarter), dimension: undefined, where: [], sources, uniqueOnly: false, limit: 200 };
      const [risingCounts, risingScan] = [await app.rising(rising), await answering(sql, risingQuery(rising)).rising(rising)];
      if (JSON.stringify(risingCounts) !== JSON.stringify(risingScan)) throw new Error(`rising from label_counts differs from the scan (${quarter}, sources ${sources.join(',')})`);
    }
  }
}

/** A followed answer from the blogger-ordered copy equals the scan of image_facts. */
async function sameFollowed(app: AnalyticsQueryService, sql: ClickHouseSqlRunner, req: Parameters<AnalyticsQueryService['followed']>[0]): Promise<void> {
  const [fromCopy, fromScan] = [await app.followed(req), await answering(sql, followedScanQuery(req)).followed(req)];
  if (JSON.stringify(fromCopy) !== JSON.stringify(fromScan)) throw new Error(`followed from facts_by_blogger differs from the scan: ${JSON.stringify({ fromCopy: [fromCopy.images, fromCopy.bloggersWithImages], fromScan: [fromScan.images, fromScan.bloggersWithImages] })}`);
}

async function stopMerges(client: ClickHouseClient, tables: readonly string[]): Promise<void> {
  for (const table of tables) await client.command({ query: `SYSTEM STOP MERGES ${table}` });
}

