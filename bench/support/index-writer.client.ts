/**
 * A small client of an index-writer's internal HTTP endpoint (see the
 * shard-owner k-NN contract): readiness, shard counts, id enumeration, k-NN
 * and Prometheus histograms. Every call has a deadline; network errors are
 * thrown as they come (callers poll with waitFor).
 */
export interface ShardsView {
  readonly owner: string;
  readonly partitions: readonly number[];
  readonly shards: readonly { readonly shardId: string; readonly count: number; readonly deleted: number; readonly sealed: boolean; readonly partitions: readonly number[] }[];
}

export interface KnnHit {
  readonly id: string;
  readonly score: number;
}

export class IndexWriterClient {
  constructor(
    readonly url: string,
    private readonly timeoutMs = 10_000,
  ) {}

  async ready(): Promise<boolean> {
    try {
      return (await fetch(`${this.url}/readyz`, { signal: AbortSignal.timeout(this.timeoutMs) })).status === 200;
    } catch {
      return false;
    }
  }

  shards(): Promise<ShardsView> {
    return this.json<ShardsView>('/v1/shards');
  }

  /** Live vectors over all owned shards. */
  async count(): Promise<number> {
    return (await this.shards()).shards.reduce((s, x) => s + x.count, 0);
  }

  async ids(): Promise<string[]> {
    return (await this.json<{ ids: string[] }>('/v1/ids', 60_000)).ids;
  }

  async knn(vector: ArrayLike<number>, k: number, ef?: number): Promise<KnnHit[]> {
    const res = await fetch(`${this.url}/v1/knn`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ vector: Array.from(vector), k, ...(ef === undefined ? {} : { ef }) }),
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    if (res.status !== 200) throw new Error(`POST /v1/knn answered ${res.status}: ${await res.text()}`);
    return ((await res.json()) as { hits: KnnHit[] }).hits;
  }

  async metrics(): Promise<string> {
    const res = await fetch(`${this.url}/metrics`, { signal: AbortSignal.timeout(this.timeoutMs) });
    return res.text();
  }

  private async json<T>(path: string, timeoutMs = this.timeoutMs): Promise<T> {
    const res = await fetch(`${this.url}${path}`, { signal: AbortSignal.timeout(timeoutMs) });
    if (res.status !== 200) throw new Error(`GET ${path} answered ${res.status}: ${await res.text()}`);
    return (await res.json()) as T;
  }
}

/** A Prometheus histogram read from exposition text (labels merged). */
export interface HistogramSample {
  readonly count: number;
  readonly sum: number;
  /** Cumulative counts by upper bound, ascending (the +Inf bucket last). */
  readonly buckets: readonly { readonly le: number; readonly count: number }[];
}

export function parseHistogram(text: string, name: string): HistogramSample {
  const buckets = new Map<number, number>();
  let count = 0;
  let sum = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][\w:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
    if (m === null) continue;
    const [, metric, labels = '', value] = m;
    const v = Number(value);
    if (metric === `${name}_count`) count += v;
    else if (metric === `${name}_sum`) sum += v;
    else if (metric === `${name}_bucket`) {
      const le = /le="([^"]+)"/.exec(labels)?.[1];
      if (le === undefined) continue;
      const bound = le === '+Inf' ? Number.POSITIVE_INFINITY : Number(le);
      buckets.set(bound, (buckets.get(bound) ?? 0) + v);
    }
  }
  return { count, sum, buckets: [...buckets.entries()].sort((a, b) => a[0] - b[0]).map(([le, c]) => ({ le, count: c })) };
}

/** Upper bound of the bucket holding quantile q (coarse: what the histogram allows). */
export function histogramQuantile(h: HistogramSample, q: number): number {
  const target = q * h.count;
  for (const b of h.buckets) if (b.count >= target) return b.le;
  return Number.NaN;
}

/** The difference of two readings of the same histogram (what happened between them). */
export function histogramDelta(after: HistogramSample, before: HistogramSample): HistogramSample {
  const prior = new Map(before.buckets.map((b) => [b.le, b.count]));
  return { count: after.count - before.count, sum: after.sum - before.sum, buckets: after.buckets.map((b) => ({ le: b.le, count: b.count - (prior.get(b.le) ?? 0) })) };
}
