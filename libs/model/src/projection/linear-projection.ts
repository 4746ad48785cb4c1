/**
 * An affine projection `y = W (x - mean)` from `inputDim` to `outputDim`, applied to
 * embeddings after the backbone. `weights` holds `outputDim` rows of `inputDim`
 * floats (row-major); `mean` holds `inputDim` floats.
 */
export interface LinearProjection {
  readonly inputDim: number;
  readonly outputDim: number;
  readonly mean: Float32Array;
  readonly weights: Float32Array;
}

/** Checks the shapes and that every value is finite; returns one message per problem. */
export function projectionProblems(p: LinearProjection): string[] {
  const problems: string[] = [];
  if (p.mean.length !== p.inputDim) problems.push(`projection mean has ${p.mean.length} values, inputDim is ${p.inputDim}`);
  if (p.weights.length !== p.inputDim * p.outputDim) {
    problems.push(`projection weights have ${p.weights.length} values, ${p.outputDim}×${p.inputDim} needs ${p.inputDim * p.outputDim}`);
  }
  if (!p.mean.every(Number.isFinite) || !p.weights.every(Number.isFinite)) problems.push('projection holds NaN or infinite values');
  return problems;
}

/**
 * Projects `n` rows of `rows` (each `inputDim` wide) and returns `n × outputDim`
 * floats. Accumulates in float64 so the result does not depend on summation order
 * more than float32 rounding of the output.
 */
export function projectRows(p: LinearProjection, rows: Float32Array, n: number): Float32Array {
  const { inputDim, outputDim, mean, weights } = p;
  if (rows.length < n * inputDim) throw new RangeError(`${n} rows of ${inputDim} need ${n * inputDim} floats, got ${rows.length}`);
  const out = new Float32Array(n * outputDim);
  const centred = new Float64Array(inputDim);
  for (let r = 0; r < n; r++) {
    const base = r * inputDim;
    for (let i = 0; i < inputDim; i++) centred[i] = rows[base + i] - mean[i];
    for (let o = 0; o < outputDim; o++) {
      const w = o * inputDim;
      let sum = 0;
      for (let i = 0; i < inputDim; i++) sum += weights[w + i] * centred[i];
      out[r * outputDim + o] = sum;
    }
  }
  return out;
}
