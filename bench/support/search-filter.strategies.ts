import { performance } from 'node:perf_hooks';
import type { Pool } from 'undici';
import type { ShardSet } from '@stylestream/index';
import { FILTER_SELECTIVITIES, exactTopK, labelIds, recallAtK, type TopK } from './clustered-vectors';
import { BENCH_BLOGGERS, BENCH_FILTER_DIMENSION, benchBloggerOf, benchImageId } from './search-label.catalog';
import { percentile } from './percentile';

/** One filter of the strategy table: its API body, the rows it matches (ground truth), its selectivity. */
export interface FilterCase {
  readonly name: string;
  readonly selectivity: number;
  readonly filter: Record<string, unknown>;
  readonly rows: Uint32Array;
}

/** The first `m` bloggers: a filter matching exactly m / BENCH_BLOGGERS of the rows. */
function bloggerCase(n: number, selectivity: number): FilterCase {
  const m = Math.round(selectivity * BENCH_BLOGGERS);
  const bloggers = Array.from({ length: m }, (_, b) => `blogger-${b}`);
  const wanted = new Set(bloggers);
  const rows: number[] = [];
  for (let row = 0; row < n; row++) if (wanted.has(benchBloggerOf(row))) rows.push(row);
  return { name: `${m} blogger${m === 1 ? '' : 's'}`, selectivity, filter: { bloggerIds: bloggers }, rows: Uint32Array.from(rows) };
}

/**
 * A style label and a blogger set at each of the four selectivities (0.1 %,
 * 1 %, 10 %, 50 %), and a blogger set at 2.5 %: there the matching count is
 * about 3 × the post-filter's over-fetch at 100k rows (2,500 against 800), between
 * the chooser's crossovers for SEARCH_FILTER_HIT_COST 1.5 and 4, the cell
 * that tells which hit cost is right.
 */
export function filterCases(n: number): FilterCase[] {
  const cases: FilterCase[] = [];
  for (const s of FILTER_SELECTIVITIES) {
    cases.push({ name: `style=${s.label}`, selectivity: s.selectivity, filter: { labels: { [BENCH_FILTER_DIMENSION]: [s.label] } }, rows: labelIds(n, s.selectivity) });
    cases.push(bloggerCase(n, s.selectivity));
  }
  cases.push(bloggerCase(n, 0.025));
  return cases;
}

export interface SearchAnswer {
  readonly ms: number;
  readonly body: { hits: { id: string }[]; strategy: { name: string; rounds?: number; fetchK?: number } };
}

/** A search API process configured to run one strategy (or to choose: `auto`). */
export interface StrategyApi {
  readonly name: 'auto' | 'candidates' | 'post-filter';
  readonly pool: Pool;
}

interface Measured {
  recall: number;
  p50: number;
  p99: number;
  /** Strategy names the answers reported, with counts. */
  used: Record<string, number>;
  meanRounds: number;
}

export interface FilterStrategyRow {
  readonly filter: string;
  readonly selectivity: number;
  readonly matching: number;
  readonly http: Record<StrategyApi['name'], Measured>;
  /** In-process on the owners' shards: the two ways an owner answers candidate ids. */
  readonly owner: { exact?: Measured; filteredHnsw: Measured };
  /** The strategy `auto` used most. */
  readonly pick: string;
  /** The faster of candidates / post-filter among those reaching recall 0.9. */
  readonly best: string;
  /** pick === best, or their p50 within noise (15 %, at least 1 ms). */
  readonly pickOk: boolean;
}

const rowOf = (id: string) => Number(id.slice(2));
const r2 = (x: number) => Math.round(x * 100) / 100;

function measured(truth: TopK, found: number[][], lat: number[], used: Record<string, number>, rounds: number[]): Measured {
  return { recall: recallAtK(truth, found), p50: percentile(lat, 0.5), p99: percentile(lat, 0.99), used, meanRounds: rounds.length === 0 ? 0 : rounds.reduce((a, b) => a + b, 0) / rounds.length };
}

/**
 * Every filter case through every strategy: over HTTP, one search API per
 * strategy (`auto` chooses by the selectivity estimate; `candidates` and
 * `post-filter` are forced by SEARCH_FILTER_CANDIDATE_MAX; one series
 * after the other, the owners drained of abandoned work after each); and in this
 * process on the owners' shards, candidate ids scored exactly against
 * filtered HNSW traversal (the owner's two modes, on `rawQueries` queries).
 * Exact ground truth per case over the generator's rows.
 */
export async function measureFilterStrategies(input: {
  readonly cases: readonly FilterCase[];
  readonly base: Float32Array;
  readonly queries: Float32Array;
  readonly dim: number;
  readonly nfq: number;
  readonly rawQueries: number;
  readonly ef: number;
  readonly apis: readonly StrategyApi[];
  /**
   * Forced candidates (HTTP) and the owners' exact scoring (in-process) run
   * only for filters matching at most this many rows (the production
   * SEARCH_FILTER_CANDIDATE_MAX): beyond it the chooser never picks
   * candidates, and shipping 100k+ ids per query keeps the owners busy long
   * after the API gave up at its deadline, which would slow the other
   * strategies' queries interleaved with them. Skipped cells read n/a.
   */
  readonly candidateCap: number;
  readonly search: (pool: Pool, body: object) => Promise<SearchAnswer>;
  readonly sets: readonly ShardSet[];
  /** Resolves once the owners answer a plain query within the deadline again (their backlog is done). */
  readonly drain: () => Promise<void>;
  readonly log: (line: string) => void;
}): Promise<FilterStrategyRow[]> {
  const { cases, base, queries, dim, nfq, ef, search, sets, log } = input;
  const out: FilterStrategyRow[] = [];
  const vectorOf = (q: number) => queries.subarray(q * dim, (q + 1) * dim);
  for (const c of cases) {
    const truth = await exactTopK(base, queries.subarray(0, nfq * dim), 10, dim, { candidates: c.rows });
    const capped = c.rows.length > input.candidateCap;
    const apis = input.apis.filter((a) => !(capped && a.name === 'candidates'));
    const http = {} as Record<StrategyApi['name'], Measured>;
    const acc = new Map<StrategyApi['name'], { found: number[][]; lat: number[]; used: Record<string, number>; rounds: number[] }>(apis.map((a) => [a.name, { found: [], lat: [], used: {}, rounds: [] }]));
    const one = async (api: StrategyApi, q: number): Promise<void> => {
      const r = await search(api.pool, { vector: Array.from(vectorOf(q)), k: 10, ef, filter: c.filter });
      const a = acc.get(api.name);
      if (a === undefined) return;
      a.found.push(r.body.hits.map((h) => rowOf(h.id)));
      a.lat.push(r.ms);
      a.used[r.body.strategy.name] = (a.used[r.body.strategy.name] ?? 0) + 1;
      if (r.body.strategy.rounds !== undefined) a.rounds.push(r.body.strategy.rounds);
    };
    // One strategy's series after the other, the owners drained after each: an owner keeps working on a request
    // the API gave up at its deadline (a long candidate list, a 20,000-deep over-fetch), and that backlog must not
    // land on another strategy's queries (interleaving them did exactly that).
    for (const api of apis) {
      for (let q = 0; q < nfq; q++) await one(api, q);
      await input.drain();
    }
    for (const [name, a] of acc) http[name] = measured(truth, a.found, a.lat, a.used, a.rounds);

    // The owner's two answers to a candidate list, in-process on the same shards.
    const allow = new Set(Array.from(c.rows, benchImageId));
    const rawQ = Math.min(input.rawQueries, nfq);
    const rawTruth = { ...truth, ids: truth.ids.subarray(0, rawQ * 10), scores: truth.scores.subarray(0, rawQ * 10) };
    const ownerMode = (exactMax: number): Measured => {
      const found: number[][] = [];
      const lat: number[] = [];
      for (let q = 0; q < rawQ; q++) {
        const t0 = performance.now();
        const hits = sets.flatMap((s) => s.search(vectorOf(q), 10, ef, { allow, exactMax })).sort((x, y) => y.score - x.score).slice(0, 10);
        lat.push(performance.now() - t0);
        found.push(hits.map((h) => rowOf(h.imageId)));
      }
      return measured(rawTruth, found, lat, {}, []);
    };
    const owner = { exact: capped ? undefined : ownerMode(Number.MAX_SAFE_INTEGER), filteredHnsw: ownerMode(0) };

    const pick = Object.entries(http.auto?.used ?? {}).sort((x, y) => y[1] - x[1])[0]?.[0] ?? 'none';
    const forced = (['candidates', 'post-filter'] as const).filter((name) => http[name] !== undefined);
    const good = forced.filter((name) => (http[name]?.recall ?? 0) >= 0.9);
    const pool = good.length > 0 ? good : forced;
    const best = [...pool].sort((x, y) => (good.length > 0 ? (http[x]?.p50 ?? Infinity) - (http[y]?.p50 ?? Infinity) : (http[y]?.recall ?? 0) - (http[x]?.recall ?? 0)))[0] ?? 'none';
    const pickP50 = http[pick as StrategyApi['name']]?.p50 ?? Infinity;
    const bestP50 = http[best as StrategyApi['name']]?.p50 ?? Infinity;
    const pickOk = pick === best || (good.includes(pick as (typeof forced)[number]) && pickP50 - bestP50 <= Math.max(0.15 * bestP50, 1));
    const row: FilterStrategyRow = { filter: c.name, selectivity: c.selectivity, matching: c.rows.length, http, owner, pick, best, pickOk };
    out.push(row);
    const cell = (m: Measured | undefined) => (m === undefined ? 'n/a' : `${m.recall.toFixed(3)} / ${r2(m.p50)} / ${r2(m.p99)}${unavailable(m)}`);
    log(`filter ${c.name} (${(c.selectivity * 100).toString()} %, ${c.rows.length} match): auto picks ${pick} [${cell(http.auto)}], candidates [${cell(http.candidates)}], post-filter [${cell(http['post-filter'])} rounds ${http['post-filter']?.meanRounds.toFixed(2) ?? '-'}]; owner exact [${cell(owner.exact)}], filtered HNSW [${cell(owner.filteredHnsw)}]; best ${best}${pickOk ? '' : ' — PICK IS NOT THE BETTER ONE'}`);
  }
  return out;
}

/** ", n × 503" when answers were 503 (no owner within the deadline: counted as misses in the recall). */
const unavailable = (m: Measured): string => ((m.used.unavailable ?? 0) > 0 ? `, ${m.used.unavailable} × 503` : '');

/** The strategy table in Markdown (recall@10 / p50 ms / p99 ms per cell, and the 503 answers among them). */
export function strategyTable(rows: readonly FilterStrategyRow[]): string {
  const cell = (m: Measured | undefined) => (m === undefined ? 'n/a' : `${m.recall.toFixed(3)} / ${r2(m.p50)} / ${r2(m.p99)}${unavailable(m)}`);
  const lines = [
    '| filter | sel. | matching | auto: pick | auto | candidates (HTTP) | post-filter (HTTP, rounds) | owner exact (in-process) | owner filtered HNSW (in-process) | best | pick ok |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const r of rows) {
    lines.push(`| ${r.filter} | ${(r.selectivity * 100).toString()} % | ${r.matching} | ${r.pick} | ${cell(r.http.auto)} | ${cell(r.http.candidates)} | ${cell(r.http['post-filter'])} (${r.http['post-filter']?.meanRounds.toFixed(2) ?? '-'}) | ${cell(r.owner.exact)} | ${cell(r.owner.filteredHnsw)} | ${r.best} | ${r.pickOk ? 'yes' : '**no**'} |`);
  }
  return lines.join('\n');
}
