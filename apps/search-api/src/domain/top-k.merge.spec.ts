import { compareRank, isAfter, mergeTopK } from './top-k.merge';

describe('mergeTopK', () => {
  it('merges owners by score, best first, ties by id', () => {
    const merged = mergeTopK([[{ id: 'a', score: 0.9 }, { id: 'c', score: 0.5 }], [{ id: 'b', score: 0.7 }, { id: 'd', score: 0.5 }]], 3);
    expect(merged.map((h) => h.id)).toEqual(['a', 'b', 'c']);
  });

  it('keeps the best score of an id answered by two owners, and leaves excluded ids out', () => {
    const merged = mergeTopK([[{ id: 'x', score: 0.4 }, { id: 'self', score: 1 }], [{ id: 'x', score: 0.6 }]], 10, { exclude: new Set(['self']) });
    expect(merged).toEqual([{ id: 'x', score: 0.6 }]);
  });

  it('drops everything ranked at or before the boundary', () => {
    const list = [{ id: 'a', score: 0.9 }, { id: 'b', score: 0.8 }, { id: 'c', score: 0.8 }, { id: 'd', score: 0.1 }];
    expect(mergeTopK([list], 10, { after: { score: 0.8, id: 'b' } }).map((h) => h.id)).toEqual(['c', 'd']);
    expect(isAfter({ id: 'b', score: 0.8 }, { score: 0.8, id: 'b' })).toBe(false);
    expect(compareRank({ id: 'a', score: 0.5 }, { id: 'b', score: 0.5 })).toBeLessThan(0);
  });
});
