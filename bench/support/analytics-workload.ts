import { performance } from 'node:perf_hooks';
import { LABEL_DIMENSIONS, type LabelDimension } from '@stylestream/schemas';
import { type FollowedRequest, type TrendRequest, parseFollowedRequest, parseTrendRequest } from '../../apps/analytics/src/query/stats-request';
import { BENCH_BLOGGERS, BENCH_LABELS, BENCH_QUARTERS, benchBlogger, benchLabel } from './analytics-dataset';

/** Deterministic PRNG (mulberry32) so runs compare. */
export function seeded(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The questions the bench asks, built with the app's own request parsers
 * (so they are exactly what the API would run): random 2,000-blogger sets
 * (uniform over the 100,000 bloggers), a random dimension, and 0-2 label
 * conditions on frequent labels of other dimensions.
 */
export class AnalyticsWorkload {
  private readonly random: () => number;

  constructor(seed: number) {
    this.random = seeded(seed);
  }

  followed(scope: 'quarter' | 'all'): FollowedRequest {
    const ids = new Set<string>();
    while (ids.size < 2000) ids.add(benchBlogger(Math.floor(this.random() * BENCH_BLOGGERS)));
    const dimension = this.dimension();
    return parseFollowedRequest({
      bloggerIds: [...ids],
      dimension,
      quarters: scope === 'quarter' ? [this.pick(BENCH_QUARTERS)] : [],
      where: this.conditions(dimension).map(([d, value]) => ({ dimension: d, value })),
      limit: 50,
    });
  }

  trend(): TrendRequest {
    const dimension = this.dimension();
    return parseTrendRequest({
      quarter: this.pick(BENCH_QUARTERS.slice(1)),
      dimension,
      where: this.conditions(dimension).map(([d, value]) => `${d}:${value}`).join(','),
      limit: '50',
    });
  }

  private dimension(): LabelDimension {
    return this.pick(LABEL_DIMENSIONS);
  }

  /** 0 conditions in 40% of questions, 1 in 40%, 2 in 20%; on other dimensions' top-5 labels. */
  private conditions(dimension: LabelDimension): [LabelDimension, string][] {
    const r = this.random();
    const n = r < 0.4 ? 0 : r < 0.8 ? 1 : 2;
    const others = LABEL_DIMENSIONS.filter((d) => d !== dimension && BENCH_LABELS[d].min > 0);
    const out: [LabelDimension, string][] = [];
    for (let i = 0; i < n; i++) {
      const d = others.splice(Math.floor(this.random() * others.length), 1)[0];
      out.push([d, benchLabel(d, 1 + Math.floor(this.random() * 5))]);
    }
    return out;
  }

  private pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.random() * xs.length)];
  }
}

/** Percentiles of one question asked `n` times: wall time, and this process's CPU time (the engine runs in-process). */
export interface Latency {
  readonly p50: number;
  readonly p95: number;
  readonly max: number;
  /** CPU milliseconds (all threads) per question: robust to other load on the machine, unlike wall time. */
  readonly cpuP50: number;
  readonly cpuP95: number;
}

/** Latency percentiles of a question asked `n` times (after `warmup` unmeasured ones). */
export async function measure(n: number, warmup: number, ask: (i: number) => Promise<unknown>): Promise<Latency> {
  for (let i = 0; i < warmup; i++) await ask(-1 - i);
  const ms: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    const c = process.cpuUsage();
    await ask(i);
    ms.push(performance.now() - t);
    const used = process.cpuUsage(c);
    cpu.push((used.user + used.system) / 1000);
  }
  const at = (xs: number[], q: number): number => {
    const sorted = [...xs].sort((a, b) => a - b);
    return Number((sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? NaN).toFixed(1));
  };
  return { p50: at(ms, 0.5), p95: at(ms, 0.95), max: at(ms, 1), cpuP50: at(cpu, 0.5), cpuP95: at(cpu, 0.95) };
}
