import { symmetricEigen } from './symmetric-eigen';

/** Options of the discriminant step. */
export interface DiscriminantOptions {
  /**
   * Shrinkage α of the within-class scatter towards a multiple of the identity:
   * Sw' = (1 − α) Sw + α (tr(Sw)/k) I. It keeps the inverse stable where classes
   * have few images and stops directions with tiny within-class spread from dominating.
   */
  readonly shrinkage: number;
  /**
   * Weight of each discriminant direction: (γ_i + floor)^power, γ_i its between/within
   * variance ratio. power 0 keeps every direction equal (a Mahalanobis metric with Sw');
   * larger powers stress the directions that separate classes.
   */
  readonly power: number;
  readonly floor: number;
}

/**
 * Linear discriminant analysis over `n` rows of width `k` with integer labels
 * 0..classes−1, keeping all `k` output directions: P = diag(w) Vᵀ Sw'^(−1/2), where V
 * diagonalises Sw'^(−1/2) Sb Sw'^(−1/2). Returns P (k × k) applied to centred rows
 * (the caller's mean). With C classes only C − 1 directions carry between-class
 * variance; the rest keep the within-class-whitened residual at weight floor^power.
 */
export function fitDiscriminantProjection(rows: Float32Array, labels: Int32Array, n: number, k: number, options: DiscriminantOptions): Float64Array {
  const classes = labels.reduce((m, l) => Math.max(m, l), -1) + 1;
  const counts = new Float64Array(classes);
  const means = new Float64Array(classes * k);
  const total = new Float64Array(k);
  for (let r = 0; r < n; r++) {
    const c = labels[r];
    counts[c]++;
    for (let i = 0; i < k; i++) {
      means[c * k + i] += rows[r * k + i];
      total[i] += rows[r * k + i];
    }
  }
  for (let c = 0; c < classes; c++) for (let i = 0; i < k; i++) means[c * k + i] /= Math.max(1, counts[c]);
  for (let i = 0; i < k; i++) total[i] /= n;

  const within = new Float64Array(k * k);
  const diff = new Float64Array(k);
  for (let r = 0; r < n; r++) {
    const c = labels[r];
    for (let i = 0; i < k; i++) diff[i] = rows[r * k + i] - means[c * k + i];
    addOuter(within, diff, k, 1 / n);
  }
  const between = new Float64Array(k * k);
  for (let c = 0; c < classes; c++) {
    if (counts[c] === 0) continue;
    for (let i = 0; i < k; i++) diff[i] = means[c * k + i] - total[i];
    addOuter(between, diff, k, counts[c] / n);
  }
  let trace = 0;
  for (let i = 0; i < k; i++) trace += within[i * k + i];
  const alpha = options.shrinkage;
  for (let i = 0; i < k * k; i++) within[i] *= 1 - alpha;
  for (let i = 0; i < k; i++) within[i * k + i] += (alpha * trace) / k;

  // Sw'^(-1/2) = U diag(1/√λ) Uᵀ
  const sw = symmetricEigen(within, k);
  const floorValue = Math.max(sw.values[0] * 1e-9, Number.MIN_VALUE);
  const invSqrt = new Float64Array(k * k);
  for (let e = 0; e < k; e++) {
    const s = 1 / Math.sqrt(Math.max(sw.values[e], floorValue));
    for (let i = 0; i < k; i++) {
      const ui = sw.vectors[e * k + i] * s;
      for (let j = 0; j < k; j++) invSqrt[i * k + j] += ui * sw.vectors[e * k + j];
    }
  }
  const m = multiply(multiply(invSqrt, between, k), invSqrt, k);
  symmetrise(m, k);
  const { values, vectors } = symmetricEigen(m, k);
  // P = diag(w) Vᵀ Sw'^(-1/2); rows of `vectors` are V's columns.
  const p = multiply(vectors, invSqrt, k);
  for (let e = 0; e < k; e++) {
    const w = Math.pow(Math.max(0, values[e]) + options.floor, options.power);
    for (let j = 0; j < k; j++) p[e * k + j] *= w;
  }
  return p;
}

function addOuter(target: Float64Array, v: Float64Array, k: number, scale: number): void {
  for (let i = 0; i < k; i++) {
    const vi = v[i] * scale;
    if (vi === 0) continue;
    const row = i * k;
    for (let j = 0; j < k; j++) target[row + j] += vi * v[j];
  }
}

/** a × b for k × k row-major matrices. */
export function multiply(a: Float64Array, b: Float64Array, k: number): Float64Array {
  const out = new Float64Array(k * k);
  for (let i = 0; i < k; i++) {
    for (let l = 0; l < k; l++) {
      const ail = a[i * k + l];
      if (ail === 0) continue;
      const row = l * k;
      const orow = i * k;
      for (let j = 0; j < k; j++) out[orow + j] += ail * b[row + j];
    }
  }
  return out;
}

function symmetrise(m: Float64Array, k: number): void {
  for (let i = 0; i < k; i++) {
    for (let j = i + 1; j < k; j++) {
      const v = (m[i * k + j] + m[j * k + i]) / 2;
      m[i * k + j] = v;
      m[j * k + i] = v;
    }
  }
}
