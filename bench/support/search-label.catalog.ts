import type { CandidateIds, CatalogCandidateSource, CatalogFilter, CatalogImageFacts } from '@stylestream/catalog';
import { FILTER_SELECTIVITIES, hasLabel, labelIds } from './clustered-vectors';

/** Id of base row `row` in the benchmark index. */
export const benchImageId = (row: number): string => `v-${row}`;
const rowOf = (id: string): number => Number(id.slice(2));

/** The label dimension the benchmark filters on; values are the FILTER_SELECTIVITIES labels. */
export const BENCH_FILTER_DIMENSION = 'style';

/** Bloggers of the benchmark rows: row i belongs to `blogger-<i % BENCH_BLOGGERS>`, so m bloggers match exactly m / BENCH_BLOGGERS of the index. */
export const BENCH_BLOGGERS = 1_000;
export const benchBloggerOf = (row: number): string => `blogger-${row % BENCH_BLOGGERS}`;

/**
 * The catalogue of the benchmark, in memory: row i carries the labels of
 * clustered-vectors' `hasLabel` (known selectivities) in the `style`
 * dimension and blogger `benchBloggerOf(i)`, so count, candidate ids and
 * facts answer like the Elasticsearch adapter would, without loading 1M
 * documents into Elasticsearch (`--catalog es` measures that). Understands
 * one `style` label and/or a blogger list.
 */
export class SyntheticLabelCatalog implements CatalogCandidateSource {
  private readonly ids = new Map<string, Uint32Array>();
  private readonly matches = new Map<string, Uint32Array>();

  constructor(private readonly n: number) {
    for (const s of FILTER_SELECTIVITIES) this.ids.set(s.label, labelIds(n, s.selectivity));
  }

  private matching(filter: CatalogFilter): Uint32Array {
    const key = JSON.stringify([filter.labels, filter.bloggerIds]);
    const known = this.matches.get(key);
    if (known !== undefined) return known;
    const wanted = filter.labels[BENCH_FILTER_DIMENSION];
    const others = Object.keys(filter.labels).filter((d) => d !== BENCH_FILTER_DIMENSION);
    if (others.length > 0 || (wanted !== undefined && wanted.length !== 1) || filter.source !== undefined || filter.text !== undefined || filter.publishedFrom !== undefined || filter.publishedTo !== undefined) {
      throw new Error('the benchmark catalogue understands one style label and blogger ids only');
    }
    let rows: Uint32Array | undefined = wanted?.[0] === undefined ? undefined : (this.ids.get(wanted[0]) ?? new Uint32Array(0));
    if (filter.bloggerIds !== undefined) {
      const bloggers = new Set(filter.bloggerIds);
      const base = rows ?? Uint32Array.from({ length: this.n }, (_, i) => i);
      rows = base.filter((row) => bloggers.has(benchBloggerOf(row)));
    }
    const result = rows ?? Uint32Array.from({ length: this.n }, (_, i) => i);
    this.matches.set(key, result);
    return result;
  }

  countMatching(filter: CatalogFilter): Promise<number> {
    return Promise.resolve(this.matching(filter).length);
  }

  candidateIds(filter: CatalogFilter, limit: number): Promise<CandidateIds> {
    const rows = this.matching(filter);
    const ids = Array.from(rows.subarray(0, limit), benchImageId);
    return Promise.resolve({ ids, total: rows.length, truncated: rows.length > limit });
  }

  factsByIds(ids: readonly string[]): Promise<Map<string, CatalogImageFacts>> {
    const out = new Map<string, CatalogImageFacts>();
    for (const id of ids) {
      const row = rowOf(id);
      if (!Number.isInteger(row) || row < 0 || row >= this.n) continue;
      out.set(id, benchFacts(row));
    }
    return Promise.resolve(out);
  }
}

/** The catalogue facts of benchmark row `row` (the synthetic catalogue's answer; the documents of `--catalog es`). */
export function benchFacts(row: number): CatalogImageFacts {
  const style = FILTER_SELECTIVITIES.filter((s) => hasLabel(row, s.selectivity)).map((s) => s.label);
  return { imageId: benchImageId(row), uri: `file:///bench/${row}.jpg`, source: 'social', bloggerId: benchBloggerOf(row), publishedAt: 0, labels: { style }, dedupeStatus: 'UNIQUE', duplicateOf: null };
}
