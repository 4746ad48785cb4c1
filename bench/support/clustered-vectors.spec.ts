import { DEFAULT_GENERATOR_PARAMS, FILTER_SELECTIVITIES, describeGenerator, exactTopK, generateQueries, generateVectors, hasLabel, labelIds, labelsOf, recallAtK } from './clustered-vectors';

const dim = DEFAULT_GENERATOR_PARAMS.dim;

function naiveTop(base: Float32Array, query: Float32Array, k: number): number[] {
  const scored: { id: number; s: number }[] = [];
  for (let i = 0; i < base.length / dim; i++) {
    let s = 0;
    for (let j = 0; j < dim; j++) s += (base[i * dim + j] ?? 0) * (query[j] ?? 0);
    scored.push({ id: i, s });
  }
  return scored.sort((a, b) => b.s - a.s || a.id - b.id).slice(0, k).map((x) => x.id);
}

describe('clustered-vectors generator', () => {
  it('gives the same vectors for the same seed, other vectors for another seed', () => {
    const a = generateVectors({ n: 50, seed: 7 });
    const b = generateVectors({ n: 50, seed: 7 });
    const c = generateVectors({ n: 50, seed: 8 });
    expect(a).toHaveLength(50 * dim);
    expect(Buffer.from(a.buffer).equals(Buffer.from(b.buffer))).toBe(true);
    expect(Buffer.from(a.buffer).equals(Buffer.from(c.buffer))).toBe(false);
  });

  it('makes row i depend only on (seed, stream, i): a slice equals the same rows of the whole', () => {
    const whole = generateVectors({ n: 40, seed: 3 });
    const slice = generateVectors({ n: 10, seed: 3, offset: 25 });
    expect(Array.from(slice)).toEqual(Array.from(whole.subarray(25 * dim, 35 * dim)));
    const queries = generateQueries({ n: 10, seed: 3 });
    expect(Array.from(queries)).not.toEqual(Array.from(whole.subarray(0, 10 * dim)));
  });

  it('L2-normalises every row and has no non-finite component', () => {
    const v = generateVectors({ n: 200, seed: 11 });
    let worst = 0;
    let nonFinite = 0;
    for (let r = 0; r < 200; r++) {
      let norm = 0;
      for (let j = 0; j < dim; j++) {
        const x = v[r * dim + j] ?? Number.NaN;
        if (!Number.isFinite(x)) nonFinite++;
        norm += x * x;
      }
      worst = Math.max(worst, Math.abs(Math.sqrt(norm) - 1));
    }
    expect(nonFinite).toBe(0);
    expect(worst).toBeLessThan(1e-5);
  });

  it('has cluster structure: nearest neighbours are far more similar than random pairs', () => {
    const base = generateVectors({ n: 2000, seed: 5 });
    const q = generateQueries({ n: 1, seed: 5 });
    const top = naiveTop(base, q, 1)[0] ?? 0;
    let best = 0;
    let mean = 0;
    for (let j = 0; j < dim; j++) best += (base[top * dim + j] ?? 0) * (q[j] ?? 0);
    for (let i = 0; i < 2000; i++) for (let j = 0; j < dim; j++) mean += ((base[i * dim + j] ?? 0) * (q[j] ?? 0)) / 2000;
    expect(best).toBeGreaterThan(mean + 0.3);
  });

  it('describes every parameter', () => {
    const text = describeGenerator({ seed: 9 });
    for (const key of Object.keys(DEFAULT_GENERATOR_PARAMS)) expect(text).toContain(`${key}=`);
    expect(text).toContain('seed=9');
  });

  it('rejects impossible parameters', () => {
    expect(() => generateVectors({ n: 1, dim: 1 })).toThrow(RangeError);
    expect(() => generateVectors({ n: -1 })).toThrow(RangeError);
    expect(() => generateVectors({ n: 1, noise: -1 })).toThrow(RangeError);
  });
});

describe('exactTopK', () => {
  const base = generateVectors({ n: 1500, seed: 21 }, { shared: true });
  const queries = generateQueries({ n: 20, seed: 21 });

  it.each([{ workers: 1 }, { workers: 2 }])('matches a naive scan (%o)', async ({ workers }) => {
    const truth = await exactTopK(base, queries, 10, dim, { workers });
    for (let q = 0; q < 20; q++) {
      expect(Array.from(truth.ids.subarray(q * 10, q * 10 + 10))).toEqual(naiveTop(base, queries.subarray(q * dim, (q + 1) * dim), 10));
      for (let r = 1; r < 10; r++) expect(truth.scores[q * 10 + r] ?? 0).toBeLessThanOrEqual(truth.scores[q * 10 + r - 1] ?? 0);
    }
  });

  it('restricts to candidate rows when given', async () => {
    const candidates = labelIds(1500, 0.1, 21);
    const truth = await exactTopK(base, queries, 5, dim, { workers: 1, candidates });
    const allowed = new Set(candidates);
    for (const id of truth.ids) expect(allowed.has(id)).toBe(true);
  });

  it('scores recall against the truth', async () => {
    const truth = await exactTopK(base, queries.subarray(0, 2 * dim), 10, dim, { workers: 1 });
    const exact = [Array.from(truth.ids.subarray(0, 10)), Array.from(truth.ids.subarray(10, 20))];
    expect(recallAtK(truth, exact)).toBe(1);
    expect(recallAtK(truth, [exact[0] ?? [], (exact[1] ?? []).slice(0, 5)])).toBeCloseTo(0.75, 5);
  });
});

describe('filter labels', () => {
  it('gives each selectivity about its share of ids, deterministically', () => {
    const n = 50_000;
    for (const { label, selectivity } of FILTER_SELECTIVITIES) {
      const ids = labelIds(n, selectivity);
      // within ~4 standard deviations of the binomial count
      expect(Math.abs(ids.length - n * selectivity)).toBeLessThan(4 * Math.sqrt(n * selectivity * (1 - selectivity)) + 1);
      const first = ids[0] ?? 0;
      expect(hasLabel(first, selectivity)).toBe(true);
      expect(labelsOf(first)).toContain(label);
    }
    expect(Array.from(labelIds(1000, 0.1, 1))).toEqual(Array.from(labelIds(1000, 0.1, 1)));
    expect(Array.from(labelIds(1000, 0.1, 1))).not.toEqual(Array.from(labelIds(1000, 0.1, 2)));
  });
});
