import { assertIndexable, DEFAULT_HNSW_PARAMS, type HnswParams } from './hnsw-params';
import { HnswShard } from './hnsw-shard';
import { seededUnitVectors } from './test-vectors';

const params: HnswParams = { ...DEFAULT_HNSW_PARAMS, dim: 16, ef: 50 };

function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i += 1) s += (a[i] ?? 0) * (b[i] ?? 0);
  return s;
}

describe('HnswShard', () => {
  it('finds the exact top-10 of brute force with recall ≥ 0.95', () => {
    const data = seededUnitVectors(1000, params.dim, 7);
    const shard = HnswShard.create('t-s0', params, 1000);
    data.forEach((v, i) => shard.upsert(`img-${i}`, v));
    const queries = seededUnitVectors(50, params.dim, 99);
    let hits = 0;
    for (const q of queries) {
      const truth = new Set(
        data
          .map((v, i) => ({ id: `img-${i}`, s: dot(q, v) }))
          .sort((a, b) => b.s - a.s)
          .slice(0, 10)
          .map((x) => x.id),
      );
      hits += shard.search(q, 10).filter((n) => truth.has(n.imageId)).length;
    }
    expect(hits / (queries.length * 10)).toBeGreaterThanOrEqual(0.95);
  });

  it('upsert replaces: the id is found at its new vector and counted once', () => {
    const [a, b] = seededUnitVectors(2, params.dim, 3) as [Float32Array, Float32Array];
    const shard = HnswShard.create('t-s0', params, 4);
    expect(shard.upsert('x', a)).toBe('added');
    expect(shard.upsert('x', b)).toBe('replaced');
    expect(shard.size).toBe(1);
    const [top] = shard.search(b, 1);
    expect(top?.imageId).toBe('x');
    expect(top?.score).toBeCloseTo(1, 5);
  });

  it('delete hides the id from search; deleted slots are reused so a full capacity can be refilled', () => {
    const vs = seededUnitVectors(4, params.dim, 5);
    const shard = HnswShard.create('t-s0', params, 3);
    vs.slice(0, 3).forEach((v, i) => shard.upsert(`i${i}`, v));
    expect(shard.isFull).toBe(true);
    expect(shard.delete('i1')).toBe(true);
    expect(shard.delete('i1')).toBe(false);
    expect(shard.search(vs[1], 3).map((n) => n.imageId)).not.toContain('i1');
    shard.upsert('i3', vs[3]);
    expect(shard.imageIds().sort()).toEqual(['i0', 'i2', 'i3']);
    expect(() => shard.upsert('i4', vs[0])).toThrow(/full/);
  });
});

describe('assertIndexable', () => {
  const [good] = seededUnitVectors(1, 4, 1) as [Float32Array];
  it('accepts a unit vector of the right dimension', () => expect(() => assertIndexable(good, 4)).not.toThrow());
  it.each([
    ['VECTOR_DIMENSION', [1, 0, 0]],
    ['VECTOR_NOT_FINITE', [Number.NaN, 0, 0, 0]],
    ['VECTOR_NOT_FINITE', [Number.POSITIVE_INFINITY, 0, 0, 0]],
    ['VECTOR_NOT_NORMALISED', [2, 0, 0, 0]],
  ])('rejects with %s', (code, v) => {
    let thrown: unknown;
    try {
      assertIndexable(v, 4);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toMatchObject({ code, retriable: false });
  });
});
