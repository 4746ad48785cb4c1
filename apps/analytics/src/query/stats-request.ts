import { z } from 'zod';
import { InvalidInputError } from '@stylestream/errors';
import { IMAGE_SOURCES, LABEL_DIMENSIONS, type ImageSource, type LabelDimension } from '@stylestream/schemas';
import { formatQuarter, parseQuarter, previousQuarter } from '../domain/quarter';

export const MAX_FOLLOWED_BLOGGERS = 2000;

/** One label condition: the image carries `value` in `dimension`. Conditions are ANDed. */
export interface LabelCondition {
  readonly dimension: LabelDimension;
  readonly value: string;
}

/** Filters shared by every question. */
export interface StatsFilter {
  readonly where: readonly LabelCondition[];
  readonly sources: readonly ImageSource[];
  /** Count only images whose dedupe verdict is not a duplicate. */
  readonly uniqueOnly: boolean;
}

export interface TrendRequest extends StatsFilter {
  readonly quarter: string;
  readonly previousQuarter: string;
  readonly dimension: LabelDimension;
  readonly limit: number;
}

export interface RisingRequest extends StatsFilter {
  readonly quarter: string;
  readonly previousQuarter: string;
  /** Undefined: every dimension. */
  readonly dimension: LabelDimension | undefined;
  readonly limit: number;
}

export interface FollowedRequest extends StatsFilter {
  readonly bloggerIds: readonly string[];
  /** Empty: all quarters. */
  readonly quarters: readonly string[];
  readonly dimension: LabelDimension;
  readonly limit: number;
}

const dimension = z.enum(LABEL_DIMENSIONS, { message: `must be one of ${LABEL_DIMENSIONS.join(', ')}` });
const source = z.enum(IMAGE_SOURCES, { message: `must be one of ${IMAGE_SOURCES.join(', ')}` });
const quarter = z.string().regex(/^\d{4}Q[1-4]$/, 'must be a quarter like 2025Q3');
const limit = z.coerce.number().int().min(1).max(1000).default(50);
const condition = z.object({ dimension, value: z.string().min(1).max(200) });
const list = (v: unknown): unknown => (v === undefined ? [] : typeof v === 'string' ? v.split(',').filter((s) => s.length > 0) : v);
const flag = z.enum(['true', 'false']).default('false').transform((s) => s === 'true');

/** `where=category:dress,color:red` in a query string. */
const whereQuery = z.preprocess(
  (v) => (list(v) as string[]).map((pair) => ({ dimension: pair.split(':')[0], value: pair.split(':').slice(1).join(':') })),
  z.array(condition).max(20),
);

const trendQuery = z.object({
  quarter,
  dimension,
  where: whereQuery,
  source: z.preprocess(list, z.array(source)),
  uniqueOnly: flag,
  limit,
});

const risingQuery = trendQuery.extend({ dimension: dimension.optional(), limit: limit.default(10) });

const followedBody = z.object({
  bloggerIds: z.array(z.string().min(1).max(200)).min(1).max(MAX_FOLLOWED_BLOGGERS, `at most ${MAX_FOLLOWED_BLOGGERS} blogger ids`),
  quarters: z.array(quarter).max(40).default([]),
  dimension,
  where: z.array(condition).max(20).default([]),
  sources: z.array(source).default([]),
  uniqueOnly: z.boolean().default(false),
  limit,
});

function parse<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const result = schema.safeParse(input ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const parameter = issue.path.length > 0 ? String(issue.path[0]) : 'body';
  const where = issue.path.length > 1 ? ` (${issue.path.join('.')})` : '';
  throw new InvalidInputError(`${parameter}${where}: ${issue.message}`, 'INVALID_PARAMETER');
}

function withPrevious(q: string): { quarter: string; previousQuarter: string } {
  return { quarter: q, previousQuarter: formatQuarter(previousQuarter(parseQuarter(q))) };
}

export function parseTrendRequest(query: unknown): TrendRequest {
  const p = parse(trendQuery, query);
  return { ...withPrevious(p.quarter), dimension: p.dimension, where: p.where, sources: p.source, uniqueOnly: p.uniqueOnly, limit: p.limit };
}

export function parseRisingRequest(query: unknown): RisingRequest {
  const p = parse(risingQuery, query);
  return { ...withPrevious(p.quarter), dimension: p.dimension, where: p.where, sources: p.source, uniqueOnly: p.uniqueOnly, limit: p.limit };
}

export function parseFollowedRequest(body: unknown): FollowedRequest {
  const p = parse(followedBody, body);
  return { ...p, bloggerIds: [...new Set(p.bloggerIds)] };
}
