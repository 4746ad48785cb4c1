import { planFilteredSearch } from './filter-strategy';

const options = { candidateMax: 1_000, overFetch: 2, minFetch: 50, maxDepth: 20_000 };

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
});
