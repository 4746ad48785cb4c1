/** Eigen-decomposition of a real symmetric matrix. */
export interface SymmetricEigen {
  readonly n: number;
  /** Eigenvalues, largest first. */
  readonly values: Float64Array;
  /** Unit eigenvectors as rows (row k belongs to values[k]), row-major n × n. */
  readonly vectors: Float64Array;
}

const EPSILON = 2.220446049250313e-16;

/**
 * Decomposes the symmetric n × n matrix `a` (row-major; only read, not changed) as
 * A = Σ values[k] v_k v_kᵀ. Householder reduction to tridiagonal form, then implicit
 * QR steps with Wilkinson shifts; eigenvectors are kept as contiguous rows so each
 * Givens rotation touches two rows. O(n³); about 10 s for n = 1280 on one core.
 */
export function symmetricEigen(a: Float64Array, n: number): SymmetricEigen {
  if (a.length !== n * n) throw new RangeError(`expected ${n * n} values for ${n}×${n}, got ${a.length}`);
  const { diagonal, offDiagonal, q } = tridiagonalise(a, n);
  // q holds Q with A = Q T Qᵀ; z = Qᵀ has the eigenvectors (of A) as rows once T is diagonalised.
  const z = transpose(q, n);
  diagonaliseTridiagonal(diagonal, offDiagonal, z, n);
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => diagonal[j] - diagonal[i]);
  const values = new Float64Array(n);
  const vectors = new Float64Array(n * n);
  order.forEach((src, k) => {
    values[k] = diagonal[src];
    vectors.set(z.subarray(src * n, (src + 1) * n), k * n);
  });
  return { n, values, vectors };
}

/** Householder tridiagonalisation: A = Q T Qᵀ with T given by its diagonal and off-diagonal (offDiagonal[i] = T[i][i+1]). */
function tridiagonalise(input: Float64Array, n: number): { diagonal: Float64Array; offDiagonal: Float64Array; q: Float64Array } {
  const a = Float64Array.from(input);
  const reflectors: { start: number; v: Float64Array; beta: number }[] = [];
  const p = new Float64Array(n);
  for (let k = 0; k < n - 2; k++) {
    const start = k + 1;
    const m = n - start;
    // x = A[start.., k]; reflector H = I - beta v vᵀ maps x onto alpha e1
    let norm2 = 0;
    for (let i = 0; i < m; i++) norm2 += a[(start + i) * n + k] ** 2;
    const x0 = a[start * n + k];
    const norm = Math.sqrt(norm2);
    if (norm === 0 || norm2 - x0 * x0 <= EPSILON * EPSILON * norm2) continue; // already tridiagonal in this column
    const alpha = x0 > 0 ? -norm : norm;
    const v = new Float64Array(m);
    for (let i = 0; i < m; i++) v[i] = a[(start + i) * n + k];
    v[0] -= alpha;
    let vv = 0;
    for (let i = 0; i < m; i++) vv += v[i] * v[i];
    const beta = 2 / vv;
    // Trailing block B = A[start.., start..]: B <- H B H = B - v wᵀ - w vᵀ,
    // with p = beta B v and w = p - (beta/2)(pᵀv) v.
    for (let i = 0; i < m; i++) {
      let s = 0;
      const row = (start + i) * n + start;
      for (let j = 0; j < m; j++) s += a[row + j] * v[j];
      p[i] = beta * s;
    }
    let pv = 0;
    for (let i = 0; i < m; i++) pv += p[i] * v[i];
    const half = (beta / 2) * pv;
    for (let i = 0; i < m; i++) p[i] -= half * v[i];
    for (let i = 0; i < m; i++) {
      const row = (start + i) * n + start;
      const vi = v[i];
      const wi = p[i];
      for (let j = 0; j < m; j++) a[row + j] -= vi * p[j] + wi * v[j];
    }
    a[start * n + k] = alpha;
    a[k * n + start] = alpha;
    for (let i = 1; i < m; i++) {
      a[(start + i) * n + k] = 0;
      a[k * n + start + i] = 0;
    }
    reflectors.push({ start, v, beta });
  }
  const diagonal = new Float64Array(n);
  const offDiagonal = new Float64Array(n);
  for (let i = 0; i < n; i++) diagonal[i] = a[i * n + i];
  for (let i = 0; i < n - 1; i++) offDiagonal[i] = a[i * n + i + 1];
  // Q = H_0 H_1 … H_{n-3}: applied to I from the last reflector backwards, Q <- H Q.
  const q = new Float64Array(n * n);
  for (let i = 0; i < n; i++) q[i * n + i] = 1;
  const t = new Float64Array(n);
  for (let r = reflectors.length - 1; r >= 0; r--) {
    const { start, v, beta } = reflectors[r];
    const m = n - start;
    // rows start.. of Q: Q_s <- Q_s - beta v (vᵀ Q_s); columns < start are still zero there.
    t.fill(0);
    for (let i = 0; i < m; i++) {
      const row = (start + i) * n;
      const vi = v[i];
      for (let j = start; j < n; j++) t[j] += vi * q[row + j];
    }
    for (let i = 0; i < m; i++) {
      const row = (start + i) * n;
      const f = beta * v[i];
      for (let j = start; j < n; j++) q[row + j] -= f * t[j];
    }
  }
  return { diagonal, offDiagonal, q };
}

/**
 * Implicit symmetric QR on the tridiagonal (d, e) with Wilkinson shifts; every
 * rotation G applied as T <- G T Gᵀ is also applied to the rows of z (z <- G z).
 * On return d holds the eigenvalues (unsorted).
 */
function diagonaliseTridiagonal(d: Float64Array, e: Float64Array, z: Float64Array, n: number): void {
  const negligible = (i: number) => Math.abs(e[i]) <= EPSILON * (Math.abs(d[i]) + Math.abs(d[i + 1]));
  let hi = n - 1;
  let steps = 0;
  while (hi > 0) {
    if (negligible(hi - 1)) {
      e[hi - 1] = 0;
      hi--;
      continue;
    }
    let lo = hi - 1;
    while (lo > 0 && !negligible(lo - 1)) lo--;
    if (++steps > 60 * n) throw new Error(`symmetric eigen-decomposition did not converge (n = ${n})`);
    qrStep(d, e, z, n, lo, hi);
  }
}

/** One implicit QR step with a Wilkinson shift on the unreduced block lo..hi (bulge chasing). */
function qrStep(d: Float64Array, e: Float64Array, z: Float64Array, n: number, lo: number, hi: number): void {
  const delta = (d[hi - 1] - d[hi]) / 2;
  const b2 = e[hi - 1] * e[hi - 1];
  const shift = d[hi] - b2 / (delta + (delta >= 0 ? 1 : -1) * Math.sqrt(delta * delta + b2));
  let x = d[lo] - shift;
  let y = e[lo];
  for (let k = lo; k < hi; k++) {
    const r = Math.hypot(x, y);
    const c = r === 0 ? 1 : x / r;
    const s = r === 0 ? 0 : y / r;
    if (k > lo) e[k - 1] = r;
    const a0 = d[k];
    const b = e[k];
    const a1 = d[k + 1];
    d[k] = c * c * a0 + 2 * c * s * b + s * s * a1;
    d[k + 1] = s * s * a0 - 2 * c * s * b + c * c * a1;
    e[k] = c * s * (a1 - a0) + (c * c - s * s) * b;
    if (k < hi - 1) {
      const f = e[k + 1];
      y = s * f; // the bulge at (k, k+2)
      e[k + 1] = c * f;
      x = e[k];
    }
    const rk = k * n;
    const rk1 = (k + 1) * n;
    for (let j = 0; j < n; j++) {
      const u = z[rk + j];
      const w = z[rk1 + j];
      z[rk + j] = c * u + s * w;
      z[rk1 + j] = c * w - s * u;
    }
  }
}

function transpose(m: Float64Array, n: number): Float64Array {
  const t = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) t[j * n + i] = m[i * n + j];
  return t;
}
