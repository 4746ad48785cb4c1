import { CanonicalVectorIndex } from './canonical-vector.index';
import { seededRandom } from '@stylestream/test-support';


function randomUnit(random: () => number, dim: number): Float32Array {
  const v = Float32Array.from({ length: dim }, () => random() * 2 - 1);
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
}

describe('CanonicalVectorIndex', () => {
  it('finds the nearest vectors, grows past its initial capacity and keeps model versions apart', () => {
    const random = seededRandom(7);
    const index = new CanonicalVectorIndex({ m: 8, efConstruction: 50, ef: 32 });
    const vectors = Array.from({ length: 1500 }, () => randomUnit(random, 24));
    vectors.forEach((v, i) => index.upsert(`img-${i}`, '1.0.0', v));
    expect(index.size).toBe(1500);
    let found = 0;
    for (let i = 0; i < 1500; i += 15) if (index.nearest('1.0.0', vectors[i], 3)[0] === `img-${i}`) found++;
    expect(found).toBeGreaterThanOrEqual(98);
    expect(index.nearest('2.0.0', vectors[0], 3)).toEqual([]);
    expect(index.nearest('1.0.0', vectors[0].subarray(0, 12), 3)).toEqual([]);
  });

  it('forgets removed ids, replaces on upsert and reuses deleted slots', () => {
    const random = seededRandom(8);
    const index = new CanonicalVectorIndex({ m: 8, efConstruction: 50, ef: 32 });
    const a = randomUnit(random, 16);
    const b = randomUnit(random, 16);
    index.upsert('a', '1', a);
    index.upsert('b', '1', b);
    expect(index.nearest('1', a, 1)).toEqual(['a']);
    index.remove('a');
    expect(index.nearest('1', a, 2)).toEqual(['b']);
    index.upsert('b', '1', a);
    expect(index.nearest('1', a, 5)).toEqual(['b']);
    expect(index.size).toBe(1);
    for (let i = 0; i < 3000; i++) {
      index.upsert('churn', '1', randomUnit(random, 16));
      index.remove('churn');
    }
    expect(index.nearest('1', a, 5)).toEqual(['b']);
  });
});
