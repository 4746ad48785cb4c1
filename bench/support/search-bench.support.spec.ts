import { parseCatalogFilter } from '@stylestream/catalog';
import { filterCases } from './search-filter.strategies';
import { SyntheticLabelCatalog, benchBloggerOf } from './search-label.catalog';
import { type CleanedImage, canonicalOf } from './search-quality.chain';

const cleaned = (id: string, status: CleanedImage['status'], duplicateOf: string | null): [string, CleanedImage] => [id, { imageId: id, path: `/x/${id}.jpg`, category: 'hat', status, duplicateOf, vector: new Float32Array(2) }];

describe('search bench support', () => {
  it('maps an image folded by dedupe to the canonical its chain ends at', () => {
    const map = new Map([cleaned('a', 'UNIQUE', null), cleaned('b', 'NEAR_DUPLICATE', 'a'), cleaned('c', 'EXACT_DUPLICATE', 'b')]);
    expect(canonicalOf('a', map)).toBe('a');
    expect(canonicalOf('b', map)).toBe('a');
    expect(canonicalOf('c', map)).toBe('a');
    expect(canonicalOf('unknown', map)).toBe('unknown');
  });

  it('builds label and blogger filters matching the stated share of the rows', () => {
    const n = 20_000;
    const cases = filterCases(n);
    expect(cases).toHaveLength(9);
    for (const c of cases) {
      if (c.name.includes('blogger')) expect(c.rows.length).toBe(Math.round(c.selectivity * n));
      else expect(Math.abs(c.rows.length / n - c.selectivity)).toBeLessThan(Math.max(0.01, c.selectivity * 0.5));
    }
  });

  it('answers blogger filters in the synthetic catalogue like the rows say', async () => {
    const catalog = new SyntheticLabelCatalog(5_000);
    const filter = parseCatalogFilter({ bloggerIds: ['blogger-3', 'blogger-7'] });
    expect(await catalog.countMatching(filter)).toBe(10);
    const { ids } = await catalog.candidateIds(filter, 100);
    expect(ids).toContain('v-1003');
    const facts = await catalog.factsByIds(ids);
    expect([...facts.values()].every((f) => f.bloggerId === 'blogger-3' || f.bloggerId === 'blogger-7')).toBe(true);
    expect(benchBloggerOf(1_007)).toBe('blogger-7');
  });
});
