/** Rows of `dim` floats with a class label each. */
export interface LabelledRows {
  readonly rows: Float32Array;
  readonly labels: Int32Array;
  readonly dim: number;
}

export type RetrievalMetric = 'cosine' | 'euclidean';

/** How well a vector space retrieves images of the query's class. */
export interface RetrievalQuality {
  /** Share of queries whose nearest indexed row has the query's class. */
  readonly nearestNeighbourAccuracy: number;
  /** Mean over queries of AP@10 = Σ_{k≤10} P@k·rel_k / min(10, relevant rows in the index). */
  readonly meanAveragePrecisionAt10: number;
  readonly queries: number;
}

/**
 * Exhaustive k-NN evaluation: every query against every indexed row (cosine
 * similarity or negative Euclidean distance; ties keep index order).
 */
export function retrievalQuality(index: LabelledRows, queries: LabelledRows, metric: RetrievalMetric = 'cosine'): RetrievalQuality {
  if (index.dim !== queries.dim) throw new RangeError(`index dim ${index.dim} differs from query dim ${queries.dim}`);
  const { dim } = index;
  const n = index.labels.length;
  const q = queries.labels.length;
  const K = 10;
  const classCount = new Map<number, number>();
  for (const l of index.labels) classCount.set(l, (classCount.get(l) ?? 0) + 1);
  const indexRows = metric === 'cosine' ? unitRows(index.rows, n, dim) : index.rows;
  const queryRows = metric === 'cosine' ? unitRows(queries.rows, q, dim) : queries.rows;
  const indexNorms = new Float64Array(n);
  if (metric === 'euclidean') for (let j = 0; j < n; j++) indexNorms[j] = dot(indexRows, j * dim, indexRows, j * dim, dim);
  let correct = 0;
  let apSum = 0;
  const topScore = new Float64Array(K);
  const topIndex = new Int32Array(K);
  for (let i = 0; i < q; i++) {
    topScore.fill(-Infinity);
    topIndex.fill(-1);
    for (let j = 0; j < n; j++) {
      const d = dot(queryRows, i * dim, indexRows, j * dim, dim);
      const score = metric === 'cosine' ? d : 2 * d - indexNorms[j]; // −‖q−x‖² + ‖q‖² (constant per query)
      if (score <= topScore[K - 1]) continue;
      let pos = K - 1;
      while (pos > 0 && topScore[pos - 1] < score) {
        topScore[pos] = topScore[pos - 1];
        topIndex[pos] = topIndex[pos - 1];
        pos--;
      }
      topScore[pos] = score;
      topIndex[pos] = j;
    }
    const label = queries.labels[i];
    if (topIndex[0] >= 0 && index.labels[topIndex[0]] === label) correct++;
    const relevant = Math.min(K, classCount.get(label) ?? 0);
    if (relevant === 0) continue;
    let hits = 0;
    let ap = 0;
    for (let k = 0; k < K && topIndex[k] >= 0; k++) {
      if (index.labels[topIndex[k]] !== label) continue;
      hits++;
      ap += hits / (k + 1);
    }
    apSum += ap / relevant;
  }
  return { nearestNeighbourAccuracy: q === 0 ? 0 : correct / q, meanAveragePrecisionAt10: q === 0 ? 0 : apSum / q, queries: q };
}

function dot(a: Float32Array, ao: number, b: Float32Array, bo: number, dim: number): number {
  let s = 0;
  for (let i = 0; i < dim; i++) s += a[ao + i] * b[bo + i];
  return s;
}

/** A copy of `n` rows scaled to unit length (zero rows stay zero). */
export function unitRows(rows: Float32Array, n: number, dim: number): Float32Array {
  const out = Float32Array.from(rows.subarray(0, n * dim));
  for (let r = 0; r < n; r++) {
    let s = 0;
    for (let i = 0; i < dim; i++) s += out[r * dim + i] ** 2;
    if (s === 0) continue;
    const inv = 1 / Math.sqrt(s);
    for (let i = 0; i < dim; i++) out[r * dim + i] *= inv;
  }
  return out;
}
