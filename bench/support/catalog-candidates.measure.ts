import type { Client } from '@elastic/elasticsearch';
import { performance } from 'node:perf_hooks';
import { CatalogImageSearch, ElasticsearchCandidateSource, buildCatalogFilterQuery, parseCatalogFilter, parseImageSearch, type CatalogFilter } from '@stylestream/catalog';
import { BLOGGERS } from './catalog-corpus';

export const quantile = (sorted: readonly number[], q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
const round = (x: number, digits = 1) => Number(x.toFixed(digits));

async function timed<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const t = performance.now();
  const r = await fn();
  return [performance.now() - t, r];
}

/** The most candidates a caller asks for; the adapter counts first and skips the point in time when the set fits one page. */
const CANDIDATE_CAP = 1_000_000;

/** A blogger filter of the corpus matching `fraction` of it exactly; `rotation` picks a different blogger set per repetition (no cache reuse). */
function bloggerFilter(fraction: number, rotation: number): CatalogFilter {
  const n = Math.max(1, Math.round(fraction * BLOGGERS));
  return parseCatalogFilter({ bloggerIds: Array.from({ length: n }, (_, k) => `blogger-${(rotation * n + k) % BLOGGERS}`) });
}

export interface SelectivityFigures {
  selectivity: number;
  ids: number;
  count_p50_ms: number;
  fetch_p50_ms: number;
  fetch_max_ms: number;
  ids_per_s: number;
}

/**
 * Candidate-fetch latency at the given selectivities (countMatching, then
 * candidateIds with a limit above the expected count), `reps` repetitions each
 * over rotating blogger sets. Baselines in the same run at 1%: the same hits
 * fetched with `_source` and with `_id` only (stored fields), one 10,000-hit page each.
 */
export async function measureCandidates(es: Client, index: string, docs: number, reps: number, log: (line: string) => void) {
  const source = new ElasticsearchCandidateSource(es, index);
  const figures: SelectivityFigures[] = [];
  for (const selectivity of [0.001, 0.01, 0.1]) {
    const counts: number[] = [];
    const fetches: number[] = [];
    let ids = 0;
    for (let r = 0; r < reps; r++) {
      const filter = bloggerFilter(selectivity, r + 1);
      const [countMs, count] = await timed(() => source.countMatching(filter));
      const [fetchMs, got] = await timed(() => source.candidateIds(filter, CANDIDATE_CAP));
      if (got.ids.length !== count || got.truncated) throw new Error(`candidate fetch returned ${got.ids.length} of ${count}`);
      counts.push(countMs);
      fetches.push(fetchMs);
      ids = got.ids.length;
    }
    counts.sort((a, b) => a - b);
    fetches.sort((a, b) => a - b);
    const p50 = quantile(fetches, 0.5);
    const f: SelectivityFigures = { selectivity, ids, count_p50_ms: round(quantile(counts, 0.5)), fetch_p50_ms: round(p50), fetch_max_ms: round(fetches.at(-1) ?? NaN), ids_per_s: Math.round(ids / (p50 / 1000)) };
    figures.push(f);
    log(`candidates at ${(selectivity * 100).toFixed(1)}% (${ids} of ${docs}): count p50 ${f.count_p50_ms} ms, ids p50 ${f.fetch_p50_ms} ms (max ${f.fetch_max_ms}), ${f.ids_per_s} ids/s`);
  }

  // Same-run baselines: the ids of a 1% filter (one page) by the adapter, by `_id` (stored fields), by `_source`.
  const ids1 = figures.find((f) => f.selectivity === 0.01)?.ids ?? 0;
  const variants: [string, (filter: CatalogFilter) => Promise<unknown>][] = [
    ['adapter (doc values)', (filter) => source.candidateIds(filter, CANDIDATE_CAP)],
    ['_id', (filter) => es.search({ index, query: buildCatalogFilterQuery(filter), size: 10_000, sort: ['_doc'], _source: false, filter_path: ['hits.total.value', 'hits.hits._id'] })],
    ['_source', (filter) => es.search({ index, query: buildCatalogFilterQuery(filter), size: 10_000, sort: ['_doc'] })],
  ];
  const baseline: Record<string, number> = {};
  for (let r = 0; r < reps; r++) {
    for (const [name, fetch] of variants) {
      const [ms] = await timed(() => fetch(bloggerFilter(0.01, r + 50)));
      (baseline[name] ??= 0);
      baseline[name] += ms / reps;
    }
  }
  const base = (name: string) => round(baseline[name] ?? NaN);
  log(`ids of a 1% filter (${ids1}), mean: ${variants.map(([k]) => `${k} ${base(k)} ms (×${((baseline[k] ?? NaN) / (baseline['adapter (doc values)'] ?? NaN)).toFixed(2)})`).join(', ')}`);

  // Facts of a page of results: the adapter (doc values) against mget of the `_source` facts, interleaved.
  const facts: Record<string, { adapter: number; mget_source: number }> = {};
  for (const n of [100, 1_000]) {
    let adapter = 0;
    let mget = 0;
    for (let r = 0; r < reps; r++) {
      const wanted = Array.from({ length: n }, (_, k) => `img-${(r * 7919 + k * 104729) % docs}`);
      const [ms, got] = await timed(() => source.factsByIds(wanted));
      if (got.size !== new Set(wanted).size) throw new Error(`factsByIds returned ${got.size} of ${n}`);
      adapter += ms / reps;
      const other = wanted.map((id) => id.replace(/\d+$/, (d) => String((Number(d) + 1) % docs)));
      mget += (await timed(() => es.mget({ index, ids: other, _source_includes: ['imageId', 'uri', 'source', 'bloggerId', 'publishedAt', 'labels', 'dedupe.status'] })))[0] / reps;
    }
    facts[n] = { adapter: round(adapter), mget_source: round(mget) };
  }
  log(`factsByIds, mean: 100 ids ${facts[100]?.adapter} ms (mget _source ${facts[100]?.mget_source} ms), 1,000 ids ${facts[1_000]?.adapter} ms (mget _source ${facts[1_000]?.mget_source} ms)`);

  // Deep paging: a page at depth 9,900 by from/size against the page after it (depth 10,000) by cursor.
  const search = new CatalogImageSearch(es, index);
  const fromTimes: number[] = [];
  const cursorTimes: number[] = [];
  for (let r = 0; r < reps; r++) {
    const [ms, atDepth] = await timed(() => search.search(parseImageSearch({ from: '9900', size: '100', facets: 'none' })));
    fromTimes.push(ms);
    if (atDepth.nextCursor === null) throw new Error('no cursor at depth 10,000');
    const cursor = atDepth.nextCursor;
    cursorTimes.push((await timed(() => search.search(parseImageSearch({ cursor, size: '100', facets: 'none' }))))[0]);
  }
  fromTimes.sort((a, b) => a - b);
  cursorTimes.sort((a, b) => a - b);
  const deep = { from_9900_p50_ms: round(quantile(fromTimes, 0.5)), cursor_10000_p50_ms: round(quantile(cursorTimes, 0.5)) };
  log(`GET /v1/images page of 100: from=9,900 p50 ${deep.from_9900_p50_ms} ms, by cursor at 10,000 p50 ${deep.cursor_10000_p50_ms} ms`);
  return { figures, baseline: Object.fromEntries(variants.map(([k]) => [k, base(k)])), facts, deep };
}
