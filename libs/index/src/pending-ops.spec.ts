import { PendingOps } from './pending-ops';
import { seededUnitVectors } from './test-vectors';

describe('PendingOps.search', () => {
  const data = seededUnitVectors(500, 16, 9);
  const dot = (a: Float32Array, b: Float32Array): number => a.reduce((s, x, i) => s + x * (b[i] ?? 0), 0);

  it('returns the exact top-k of the live queued vectors the filter admits, best first', () => {
    const pending = new PendingOps('ip');
    data.forEach((vector, i) => pending.push({ kind: 'upsert', offset: i, imageId: `img-${i}`, vector }));
    pending.push({ kind: 'delete', offset: 500, imageId: 'img-3' });
    const admits = (id: string): boolean => Number(id.slice(4)) % 2 === 1;
    const q = seededUnitVectors(1, 16, 10)[0];
    const truth = data
      .map((v, i) => ({ imageId: `img-${i}`, score: dot(q, v) }))
      .filter((h) => admits(h.imageId) && h.imageId !== 'img-3')
      .sort((a, b) => b.score - a.score);
    for (const k of [1, 10, 300]) {
      const hits = pending.search(q, k, admits);
      expect(hits.map((h) => h.imageId)).toEqual(truth.slice(0, k).map((h) => h.imageId));
      hits.forEach((h, i) => expect(h.score).toBeCloseTo(truth[i]?.score ?? Number.NaN, 5));
    }
    expect(pending.search(q, 0, admits)).toEqual([]);
  });
});
