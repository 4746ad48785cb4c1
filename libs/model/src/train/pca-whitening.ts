import { symmetricEigen } from './symmetric-eigen';

/** The top principal directions of a set of rows. */
export interface PrincipalComponents {
  readonly inputDim: number;
  readonly mean: Float64Array;
  /** `k` unit directions as rows (k × inputDim), largest variance first. */
  readonly components: Float64Array;
  /** The variance along each component. */
  readonly variances: Float64Array;
}

/** Mean of `n` rows of width `d`. */
export function meanRow(rows: Float32Array, n: number, d: number): Float64Array {
  const mean = new Float64Array(d);
  for (let r = 0; r < n; r++) for (let i = 0; i < d; i++) mean[i] += rows[r * d + i];
  for (let i = 0; i < d; i++) mean[i] /= n;
  return mean;
}

/** Covariance (d × d, divided by n − 1) of `n` rows around `mean`. */
export function covariance(rows: Float32Array, n: number, d: number, mean: Float64Array): Float64Array {
  const cov = new Float64Array(d * d);
  const centred = new Float64Array(d);
  for (let r = 0; r < n; r++) {
    for (let i = 0; i < d; i++) centred[i] = rows[r * d + i] - mean[i];
    for (let i = 0; i < d; i++) {
      const ci = centred[i];
      if (ci === 0) continue;
      const row = i * d;
      for (let j = i; j < d; j++) cov[row + j] += ci * centred[j];
    }
  }
  const scale = 1 / Math.max(1, n - 1);
  for (let i = 0; i < d; i++) {
    for (let j = i; j < d; j++) {
      const v = cov[i * d + j] * scale;
      cov[i * d + j] = v;
      cov[j * d + i] = v;
    }
  }
  return cov;
}

/** PCA of `n` rows of width `d`, keeping the `k` directions of largest variance. */
export function fitPrincipalComponents(rows: Float32Array, n: number, d: number, k: number): PrincipalComponents {
  if (k > d) throw new RangeError(`cannot keep ${k} components of ${d}-d rows`);
  if (n < 2) throw new RangeError(`PCA needs at least 2 rows, got ${n}`);
  const mean = meanRow(rows, n, d);
  const { values, vectors } = symmetricEigen(covariance(rows, n, d, mean), d);
  return { inputDim: d, mean, components: vectors.slice(0, k * d), variances: values.slice(0, k).map((v) => Math.max(0, v)) };
}

/**
 * The whitening matrix (k × inputDim): component i scaled by 1/√(variance_i + ε), so
 * the projected training rows have (about) unit variance in every direction. ε,
 * relative to the largest variance, keeps near-zero directions from being blown up.
 */
export function whiteningMatrix(pca: PrincipalComponents, relativeEpsilon = 1e-4): Float64Array {
  const { inputDim: d, components, variances } = pca;
  const k = variances.length;
  const epsilon = relativeEpsilon * (variances[0] ?? 0);
  const out = new Float64Array(k * d);
  for (let i = 0; i < k; i++) {
    const s = 1 / Math.sqrt(variances[i] + epsilon || 1);
    for (let j = 0; j < d; j++) out[i * d + j] = components[i * d + j] * s;
  }
  return out;
}

/** Applies `y = M (x - mean)` (M is k × d) to `n` rows. */
export function applyAffine(rows: Float32Array, n: number, d: number, mean: Float64Array, matrix: Float64Array, k: number): Float32Array {
  const out = new Float32Array(n * k);
  const centred = new Float64Array(d);
  for (let r = 0; r < n; r++) {
    for (let i = 0; i < d; i++) centred[i] = rows[r * d + i] - mean[i];
    for (let o = 0; o < k; o++) {
      let s = 0;
      const row = o * d;
      for (let i = 0; i < d; i++) s += matrix[row + i] * centred[i];
      out[r * k + o] = s;
    }
  }
  return out;
}
