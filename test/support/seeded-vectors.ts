/** Deterministic unit vectors for the integration tests: `rows` × `dim`, row-major, each L2-normalised (an LCG from `seed`). */
export function seededUnitVectors(seed: number, rows: number, dim: number): Float32Array {
  let s = seed >>> 0;
  const rnd = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296) * 2 - 1;
  const out = new Float32Array(rows * dim);
  for (let r = 0; r < rows; r++) {
    let norm = 0;
    for (let j = 0; j < dim; j++) norm += (out[r * dim + j] = rnd()) ** 2;
    for (let j = 0; j < dim; j++) out[r * dim + j] = (out[r * dim + j] ?? 0) / Math.sqrt(norm);
  }
  return out;
}

/** The rows among `candidates` with the k largest inner products with row `query`, best first (exact ground truth). */
export function exactTopRows(vectors: Float32Array, dim: number, query: number, k: number, candidates: readonly number[]): number[] {
  const dot = (r: number) => {
    let acc = 0;
    for (let j = 0; j < dim; j++) acc += (vectors[query * dim + j] ?? 0) * (vectors[r * dim + j] ?? 0);
    return acc;
  };
  return candidates
    .map((r) => ({ r, s: dot(r) }))
    .sort((a, b) => b.s - a.s)
    .slice(0, k)
    .map((x) => x.r);
}
