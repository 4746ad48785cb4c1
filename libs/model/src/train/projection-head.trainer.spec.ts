import { applyAffine, fitPrincipalComponents, whiteningMatrix } from './pca-whitening';
import { DEFAULT_HEAD_CANDIDATES, heldOutMask, trainProjectionHead } from './projection-head.trainer';
import { retrievalQuality } from './retrieval-metrics';
import { projectRows } from '../projection/linear-projection';

function gaussian(seed: number): () => number {
  let s = seed >>> 0;
  const uniform = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s + 0.5) / 4294967296;
  };
  return () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
}

/**
 * `classes` classes in `dim` dims: large noise on the first quarter of the dims (what
 * raw cosine mostly sees), class identity only in small offsets along the second half.
 */
function dataset(perClass: number, classes: number, dim: number, seed: number): { rows: Float32Array; labels: Int32Array } {
  const g = gaussian(seed);
  const centres = Array.from({ length: classes }, (_, c) => Array.from({ length: dim }, (_, i) => (i >= dim / 2 && (i + c) % 3 === 0 ? 0.6 : 0) + (i === dim / 2 + c ? 1 : 0)));
  const n = perClass * classes;
  const rows = new Float32Array(n * dim);
  const labels = new Int32Array(n);
  for (let r = 0; r < n; r++) {
    const c = r % classes;
    labels[r] = c;
    for (let i = 0; i < dim; i++) rows[r * dim + i] = centres[c][i] + (i < dim / 4 ? 4 : 0.5) * g();
  }
  return { rows, labels };
}

describe('PCA whitening', () => {
  it('gives the projected rows unit variance and no correlation', () => {
    const { rows } = dataset(60, 4, 12, 3);
    const n = rows.length / 12;
    const pca = fitPrincipalComponents(rows, n, 12, 6);
    expect(pca.variances[0]).toBeGreaterThan(pca.variances[5]);
    const z = applyAffine(rows, n, 12, pca.mean, whiteningMatrix(pca, 0), 6);
    for (let a = 0; a < 6; a++) {
      for (let b = 0; b < 6; b++) {
        let s = 0;
        for (let r = 0; r < n; r++) s += z[r * 6 + a] * z[r * 6 + b];
        expect(s / (n - 1)).toBeCloseTo(a === b ? 1 : 0, 6);
      }
    }
  });
});

describe('retrievalQuality', () => {
  it('computes 1-NN accuracy and AP@10 by hand', () => {
    const index = { rows: Float32Array.from([1, 0, 0.9, 0.1, 0, 1]), labels: Int32Array.from([0, 1, 1]), dim: 2 };
    // query of class 1 along x: ranking [0 (class 0), 1 (class 1), 2 (class 1)] → 1-NN wrong; AP = (1/2 + 2/3) / 2
    const queries = { rows: Float32Array.from([1, 0]), labels: Int32Array.from([1]), dim: 2 };
    const q = retrievalQuality(index, queries);
    expect(q.nearestNeighbourAccuracy).toBe(0);
    expect(q.meanAveragePrecisionAt10).toBeCloseTo((1 / 2 + 2 / 3) / 2, 10);
    expect(retrievalQuality(index, { ...queries, labels: Int32Array.from([0]) }).nearestNeighbourAccuracy).toBe(1);
  });
});

describe('trainProjectionHead', () => {
  it('learns a head that separates classes better than the raw space, on unseen rows', () => {
    const dim = 16;
    const train = dataset(50, 4, dim, 1);
    const test = dataset(25, 4, dim, 2);
    const head = trainProjectionHead(train.rows, train.labels, dim, { outputDim: 12, heldOutShare: 0.2, seed: 5, candidates: DEFAULT_HEAD_CANDIDATES });
    expect(head.projection.outputDim).toBe(12);
    expect(head.projection.weights.length).toBe(12 * dim);
    expect(head.scores.length).toBe(DEFAULT_HEAD_CANDIDATES.length);
    const raw = retrievalQuality({ ...train, dim }, { ...test, dim });
    const project = (rows: Float32Array) => projectRows(head.projection, rows, rows.length / dim);
    const learned = retrievalQuality({ rows: project(train.rows), labels: train.labels, dim: 12 }, { rows: project(test.rows), labels: test.labels, dim: 12 });
    expect(raw.nearestNeighbourAccuracy).toBeLessThan(0.6);
    expect(learned.nearestNeighbourAccuracy).toBeGreaterThan(raw.nearestNeighbourAccuracy + 0.25);
    // deterministic
    const again = trainProjectionHead(train.rows, train.labels, dim, { outputDim: 12, heldOutShare: 0.2, seed: 5, candidates: DEFAULT_HEAD_CANDIDATES });
    expect(again.projection.weights).toEqual(head.projection.weights);
  });

  it('holds out a stratified share of every class', () => {
    const labels = Int32Array.from([0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 2]);
    const mask = heldOutMask(labels, 0.4, 9);
    expect(mask.filter((m, i) => m === 1 && labels[i] === 0).length).toBe(2);
    expect(mask.filter((m, i) => m === 1 && labels[i] === 1).length).toBe(2);
    expect(mask[10]).toBe(0); // a class with one row is never held out
  });
});
