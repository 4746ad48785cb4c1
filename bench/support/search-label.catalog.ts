import type { CandidateIds, CatalogCandidateSource, CatalogFilter, CatalogImageFacts } from '@stylestream/catalog';
import { FILTER_SELECTIVITIES, hasLabel, labelIds } from './clustered-vectors';

/** Id of base row `row` in the benchmark index. */
export const benchImageId = (row: number): string => `v-${row}`;
const rowOf = (id: string): number => Number(id.slice(2));

/** The label dimension the benchmark filters on; values are the FILTER_SELECTIVITIES labels. */
export const BENCH_FILTER_DIMENSION = 'style';

/**
 * The catalogue of the benchmark, in memory: row i carries the labels of
 * clustered-vectors' `hasLabel` (known selectivities), so count, candidate
 * ids and facts answer like the Elasticsearch adapter would, without loading
 * 1M documents into Elasticsearch (its own latency is measured by the
 * catalogue benchmark). Only `style` label filters are understood.
 */
export class SyntheticLabelCatalog implements CatalogCandidateSource {
  private readonly ids = new Map<string, Uint32Array>();

  constructor(private readonly n: number) {
    for (const s of FILTER_SELECTIVITIES) this.ids.set(s.label, labelIds(n, s.selectivity));
  }

  private matching(filter: CatalogFilter): Uint32Array {
    const wanted = filter.labels[BENCH_FILTER_DIMENSION] ?? [];
    const label = wanted[0];
    if (wanted.length !== 1 || label === undefined) throw new Error('the benchmark catalogue understands one style label only');
    return this.ids.get(label) ?? new Uint32Array(0);
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
      const style = FILTER_SELECTIVITIES.filter((s) => hasLabel(row, s.selectivity)).map((s) => s.label);
      out.set(id, { imageId: id, uri: `file:///bench/${row}.jpg`, source: 'social', bloggerId: null, publishedAt: 0, labels: { style }, dedupeStatus: 'UNIQUE', duplicateOf: null });
    }
    return Promise.resolve(out);
  }
}
