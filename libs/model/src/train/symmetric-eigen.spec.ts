import { symmetricEigen } from './symmetric-eigen';

function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296 - 0.5;
  };
}

function randomSymmetric(n: number, seed: number): Float64Array {
  const r = seeded(seed);
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      const v = r();
      a[i * n + j] = v;
      a[j * n + i] = v;
    }
  }
  return a;
}

/** max |A v_k − λ_k v_k| and max |V Vᵀ − I|. */
function residuals(a: Float64Array, n: number, values: Float64Array, vectors: Float64Array): { eigen: number; orthonormal: number } {
  let eigen = 0;
  let orthonormal = 0;
  for (let k = 0; k < n; k++) {
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += a[i * n + j] * vectors[k * n + j];
      eigen = Math.max(eigen, Math.abs(s - values[k] * vectors[k * n + i]));
    }
    for (let l = 0; l < n; l++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += vectors[k * n + j] * vectors[l * n + j];
      orthonormal = Math.max(orthonormal, Math.abs(s - (k === l ? 1 : 0)));
    }
  }
  return { eigen, orthonormal };
}

describe('symmetricEigen', () => {
  it.each([1, 2, 3, 7, 40, 120])('decomposes a random symmetric %i×%i matrix (A v = λ v, V orthonormal, λ descending)', (n) => {
    const a = randomSymmetric(n, n * 31 + 1);
    const { values, vectors } = symmetricEigen(a, n);
    const r = residuals(a, n, values, vectors);
    expect(r.eigen).toBeLessThan(1e-10);
    expect(r.orthonormal).toBeLessThan(1e-10);
    for (let k = 1; k < n; k++) expect(values[k]).toBeLessThanOrEqual(values[k - 1]);
    let trace = 0;
    for (let i = 0; i < n; i++) trace += a[i * n + i];
    expect(values.reduce((s, v) => s + v, 0)).toBeCloseTo(trace, 10);
  });

  it('handles diagonal, repeated and zero eigenvalues and leaves its input unchanged', () => {
    const n = 5;
    const a = new Float64Array(n * n);
    [3, 1, 3, 0, -2].forEach((v, i) => (a[i * n + i] = v));
    const copy = Float64Array.from(a);
    const { values, vectors } = symmetricEigen(a, n);
    expect(Array.from(values)).toEqual([3, 3, 1, 0, -2]);
    expect(residuals(a, n, values, vectors).orthonormal).toBeLessThan(1e-12);
    expect(a).toEqual(copy);
  });

  it('recovers a known spectrum under a rotation', () => {
    // A = R diag(5, 2, -1) Rᵀ with R a rotation about z by 30°
    const c = Math.cos(Math.PI / 6);
    const s = Math.sin(Math.PI / 6);
    const a = Float64Array.from([5 * c * c + 2 * s * s, (5 - 2) * c * s, 0, (5 - 2) * c * s, 5 * s * s + 2 * c * c, 0, 0, 0, -1]);
    const { values, vectors } = symmetricEigen(a, 3);
    expect(Array.from(values).map((v) => +v.toFixed(12))).toEqual([5, 2, -1]);
    expect(Math.abs(vectors[0] * c + vectors[1] * s)).toBeCloseTo(1, 12);
  });

  it('refuses a buffer of the wrong size', () => {
    expect(() => symmetricEigen(new Float64Array(5), 2)).toThrow(RangeError);
  });
});
