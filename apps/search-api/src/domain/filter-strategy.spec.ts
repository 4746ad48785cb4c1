import { planFilteredSearch } from './filter-strategy';

const options = { candidateMax: 1_000, hitCost: 1_000, overFetch: 2, minFetch: 50, maxDepth: 20_000 };

describe('planFilteredSearch', () => {
  it('answers empty without the owners when nothing matches', () => {
    expect(planFilteredSearch(0, 1_000_000, 10, options)).toEqual({ name: 'no-match' });
  });

  it('sends candidate ids while they are few enough', () => {
    expect(planFilteredSearch(1_000, 1_000_000, 10, options)).toMatchObject({ name: 'candidates', matching: 1_000, selectivity: 0.001 });
  });

  it('over-fetches by needed / selectivity × factor for broad filters, within the depth limit', () => {
    expect(planFilteredSearch(100_000, 1_000_000, 10, options)).toMatchObject({ name: 'post-filter', selectivity: 0.1, fetchK: 200 });
    expect(planFilteredSearch(500_000, 1_000_000, 10, options)).toMatchObject({ fetchK: 50 });
    expect(planFilteredSearch(2_000, 1_000_000, 10_000, options)).toMatchObject({ fetchK: 20_000 });
  });

  it('never divides by an indexed total smaller than the matching count', () => {
    expect(planFilteredSearch(5_000, 0, 10, options)).toMatchObject({ name: 'post-filter', selectivity: 1 });
  });

  it('takes candidates only while they are less work than the over-fetch (matching ≤ fetchK × hitCost)', () => {
    const costed = { ...options, candidateMax: 50_000, hitCost: 4 };
    // 1% of 1M: fetchK 2,000 → 8,000 units of over-fetch against 10,000 ids: post-filter
    expect(planFilteredSearch(10_000, 1_000_000, 10, costed)).toMatchObject({ name: 'post-filter', fetchK: 2_000 });
    // 0.5% of 1M: fetchK 4,000 → 16,000 units against 5,000 ids: candidates
    expect(planFilteredSearch(5_000, 1_000_000, 10, costed)).toMatchObject({ name: 'candidates' });
    // the same 5,000 matching ids out of 100k (5%) are post-filtered: the cut-off grows with the index
    expect(planFilteredSearch(5_000, 100_000, 10, costed)).toMatchObject({ name: 'post-filter', fetchK: 400 });
  });

  it('takes candidates when the over-fetch would hit the depth limit, and for filters only candidates can judge', () => {
    const costed = { ...options, candidateMax: 50_000, hitCost: 0.001, maxDepth: 1_000 };
    expect(planFilteredSearch(2_000, 1_000_000, 10, costed)).toMatchObject({ name: 'candidates' });
    expect(planFilteredSearch(30_000, 100_000, 10, costed)).toMatchObject({ name: 'post-filter' });
    expect(planFilteredSearch(30_000, 100_000, 10, costed, true)).toMatchObject({ name: 'candidates' });
    expect(planFilteredSearch(60_000, 100_000, 10, costed, true)).toMatchObject({ name: 'post-filter' });
  });
});
