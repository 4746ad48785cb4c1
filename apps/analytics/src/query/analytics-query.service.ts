import type { LabelDimension } from '@stylestream/schemas';
import type { SqlRunner } from './sql-runner';
import { followedQueries, risingQuery, trendTotalsQuery, trendValuesQuery } from './stats-queries';
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
const n = (v: Num | undefined): number => Number(v ?? 0);
const ratio = (part: number, whole: number): number => (whole === 0 ? 0 : Math.round((part / whole) * 1e6) / 1e6);
const direction = (change: number): Direction => (change > 0 ? 'up' : change < 0 ? 'down' : 'flat');

/** Answers the analytics questions over image_facts (see stats-queries for the SQL). */
export class AnalyticsQueryService {
  constructor(private readonly sql: SqlRunner) {}

  async trend(req: TrendRequest): Promise<TrendStats> {
    const [values, totals] = await Promise.all([
      this.sql.rows<{ value: string; count: Num; previous: Num }>(trendValuesQuery(req)),
      this.sql.rows<{ images: Num; previous_images: Num; labels: Num; previous_labels: Num }>(trendTotalsQuery(req)),
    ]);
    const t = totals[0];
    const labels = n(t?.labels);
    return {
      quarter: req.quarter,
      previousQuarter: req.previousQuarter,
      dimension: req.dimension,
      images: n(t?.images),
      previousImages: n(t?.previous_images),
      values: values.map((v) => {
        const count = n(v.count);
        const previousCount = n(v.previous);
        return { value: v.value, count, previousCount, change: count - previousCount, direction: direction(count - previousCount), share: ratio(count, labels) };
      }),
    };
  }

  async rising(req: RisingRequest): Promise<RisingLabel[]> {
    const rows = await this.sql.rows<{ dimension: string; value: string; count: Num; previous: Num }>(risingQuery(req));
    return rows.map((r) => ({ dimension: r.dimension, value: r.value, count: n(r.count), previousCount: n(r.previous), change: n(r.count) - n(r.previous) }));
  }

  async followed(req: FollowedRequest): Promise<FollowedBloggerStats> {
    const q = followedQueries(req);
    const [totals, byValue, bySource, byQuarter] = await Promise.all([
      this.sql.rows<{ images: Num; bloggers: Num; labels: Num }>(q.totals),
      this.sql.rows<{ value: string; count: Num }>(q.byValue),
      this.sql.rows<{ source: string; count: Num }>(q.bySource),
      this.sql.rows<{ quarter: string; count: Num }>(q.byQuarter),
    ]);
    const labels = n(totals[0]?.labels);
    return {
      bloggersRequested: req.bloggerIds.length,
      bloggersWithImages: n(totals[0]?.bloggers),
      images: n(totals[0]?.images),
      dimension: req.dimension,
      byValue: byValue.map((v) => ({ value: v.value, count: n(v.count), share: ratio(n(v.count), labels) })),
      bySource: bySource.map((s) => ({ source: s.source, count: n(s.count) })),
      byQuarter: byQuarter.map((s) => ({ quarter: s.quarter, count: n(s.count) })),
    };
  }
}
