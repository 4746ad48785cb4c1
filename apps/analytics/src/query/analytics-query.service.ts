import type { LabelDimension } from '@stylestream/schemas';
import type { SqlRunner } from './sql-runner';
import { countsAnswer, followedQuery, risingCountsQuery, risingQuery, trendCountsQuery, trendQuery } from './stats-queries';
import type { FollowedRequest, RisingRequest, TrendRequest } from './stats-request';

export type Direction = 'up' | 'down' | 'flat';

export interface TrendValue {
  value: string;
  count: number;
  previousCount: number;
  change: number;
  direction: Direction;
  /** count / label occurrences of the dimension in the quarter (the pie). */
  share: number;
}

export interface TrendStats {
  quarter: string;
  previousQuarter: string;
  dimension: LabelDimension;
  images: number;
  previousImages: number;
  values: TrendValue[];
}

export interface RisingLabel {
  dimension: string;
  value: string;
  count: number;
  previousCount: number;
  change: number;
}


export interface FollowedBloggerStats {
  bloggersRequested: number;
  bloggersWithImages: number;
  images: number;
  dimension: LabelDimension;
  byValue: { value: string; count: number; share: number }[];
  bySource: { source: string; count: number }[];
  byQuarter: { quarter: string; count: number }[];
}

type Num = number | string;
/** A ClickHouse Map as JSON: label -> count (64-bit counts arrive as strings). */
type CountMap = Record<string, Num>;
const n = (v: Num | undefined): number => Number(v ?? 0);
/** ClickHouse orders strings by their bytes; ties are broken the same way here. */
const byteOrder = (a: string, b: string): number => Buffer.compare(Buffer.from(a), Buffer.from(b));
const entries = (m: CountMap | undefined): [string, number][] => Object.entries(m ?? {}).map(([k, v]) => [k, n(v)]);
const total = (m: CountMap | undefined): number => entries(m).reduce((sum, [, c]) => sum + c, 0);
const ratio = (part: number, whole: number): number => (whole === 0 ? 0 : Math.round((part / whole) * 1e6) / 1e6);
const direction = (change: number): Direction => (change > 0 ? 'up' : change < 0 ? 'down' : 'flat');

/**
 * Answers the analytics questions over image_facts, and over label_counts
 * where a question has no label condition (see stats-queries for the SQL).
 */
export class AnalyticsQueryService {
  constructor(private readonly sql: SqlRunner) {}

  async trend(req: TrendRequest): Promise<TrendStats> {
    const [row] = await this.sql.rows<{ images: Num; previous_images: Num; counts: CountMap; previous_counts: CountMap }>(countsAnswer(req) ? trendCountsQuery(req) : trendQuery(req));
    const current = new Map(entries(row?.counts));
    const previous = new Map(entries(row?.previous_counts));
    const labels = total(row?.counts);
    const values = [...new Set([...current.keys(), ...previous.keys()])]
      .map((value) => ({ value, count: current.get(value) ?? 0, previousCount: previous.get(value) ?? 0 }))
      .sort((a, b) => b.count - a.count || b.previousCount - a.previousCount || byteOrder(a.value, b.value))
      .slice(0, req.limit);
    return {
      quarter: req.quarter,
      previousQuarter: req.previousQuarter,
      dimension: req.dimension,
      images: n(row?.images),
      previousImages: n(row?.previous_images),
      values: values.map((v) => ({ ...v, change: v.count - v.previousCount, direction: direction(v.count - v.previousCount), share: ratio(v.count, labels) })),
    };
  }

  async rising(req: RisingRequest): Promise<RisingLabel[]> {
    const rows = await this.sql.rows<{ dimension: string; value: string; count: Num; previous: Num }>(countsAnswer(req) ? risingCountsQuery(req) : risingQuery(req));
    return rows.map((r) => ({ dimension: r.dimension, value: r.value, count: n(r.count), previousCount: n(r.previous), change: n(r.count) - n(r.previous) }));
  }

  async followed(req: FollowedRequest): Promise<FollowedBloggerStats> {
    const [row] = await this.sql.rows<{ images: Num; bloggers: Num; labels: Num; by_value: CountMap; by_source: CountMap; by_quarter: CountMap }>(followedQuery(req));
    const labels = n(row?.labels);
    const ranked = (m: CountMap | undefined): [string, number][] => entries(m).sort(([a, x], [b, y]) => y - x || byteOrder(a, b));
    return {
      bloggersRequested: req.bloggerIds.length,
      bloggersWithImages: n(row?.bloggers),
      images: n(row?.images),
      dimension: req.dimension,
      byValue: ranked(row?.by_value)
        .slice(0, req.limit)
        .map(([value, count]) => ({ value, count, share: ratio(count, labels) })),
      bySource: ranked(row?.by_source).map(([source, count]) => ({ source, count })),
      byQuarter: entries(row?.by_quarter)
        .sort(([a], [b]) => byteOrder(a, b))
        .map(([quarter, count]) => ({ quarter, count })),
    };
  }
}
