import { LinearProjection } from '../projection/linear-projection';
import { DiscriminantOptions, fitDiscriminantProjection } from './discriminant-projection';
import { PrincipalComponents, applyAffine, fitPrincipalComponents, whiteningMatrix } from './pca-whitening';
import { RetrievalQuality, retrievalQuality } from './retrieval-metrics';

export interface HeadTrainingOptions {
  readonly outputDim: number;
  /** Share of each class held out to choose the discriminant's options. */
  readonly heldOutShare: number;
  readonly seed: number;
  /** The discriminant options tried; `null` stands for PCA-whitening alone. */
  readonly candidates: readonly (DiscriminantOptions | null)[];
  readonly log?: (line: string) => void;
  /** PCA of these same rows when the caller has it already (it is the costly step: an eigen-decomposition of inputDim × inputDim). */
  readonly pca?: PrincipalComponents;
}

export const DEFAULT_HEAD_CANDIDATES: readonly (DiscriminantOptions | null)[] = [
  null,
  ...[0.1, 0.3, 0.6].flatMap((shrinkage) => [
    { shrinkage, power: 0, floor: 0 },
    { shrinkage, power: 0.5, floor: 0.05 },
    { shrinkage, power: 0.5, floor: 0.5 },
    { shrinkage, power: 1, floor: 0.05 },
    { shrinkage, power: 1, floor: 0.5 },
  ]),
];

export interface CandidateScore {
  readonly method: string;
  readonly heldOut: RetrievalQuality;
}

export interface TrainedHead {
  readonly projection: LinearProjection;
  readonly method: string;
  /** Held-out quality of the chosen candidate (trained without the held-out rows). */
  readonly heldOut: RetrievalQuality;
  readonly scores: readonly CandidateScore[];
}

/**
 * Learns the head from `n` backbone feature rows (width `inputDim`) with class labels:
 * 1. PCA on all rows, whitened to `outputDim` dims (unsupervised);
 * 2. a supervised discriminant rotation of the whitened space (shrunk within-class
 *    scatter, see fitDiscriminantProjection). Each candidate is fitted on the rows not
 *    held out and scored by cosine 1-NN accuracy (then mAP@10) of the held-out rows
 *    against them, in the served form (projected, L2-normalised);
 * 3. the best candidate is refitted on all rows and folded with the whitening into one
 *    `outputDim × inputDim` matrix and the PCA mean.
 * Deterministic for the same rows, labels and options.
 */
export function trainProjectionHead(features: Float32Array, labels: Int32Array, inputDim: number, options: HeadTrainingOptions): TrainedHead {
  const n = labels.length;
  const k = options.outputDim;
  const log = options.log ?? (() => undefined);
  if (features.length !== n * inputDim) throw new RangeError(`${n} labels need ${n * inputDim} feature values, got ${features.length}`);
  const started = Date.now();
  const given = options.pca !== undefined && options.pca.variances.length === k && options.pca.inputDim === inputDim;
  const pca = given && options.pca !== undefined ? options.pca : fitPrincipalComponents(features, n, inputDim, k);
  const whitening = whiteningMatrix(pca);
  const whitened = applyAffine(features, n, inputDim, pca.mean, whitening, k);
  log(`PCA ${inputDim} → ${k} on ${n} rows ${given ? '(given)' : `in ${((Date.now() - started) / 1000).toFixed(1)} s`}, whitened (variance kept ${(100 * sum(pca.variances) / totalVariance(features, n, inputDim, pca.mean)).toFixed(1)} %)`);

  const held = heldOutMask(labels, options.heldOutShare, options.seed);
  const fit = subset(whitened, labels, k, held, false);
  const test = subset(whitened, labels, k, held, true);
  const zero = new Float64Array(k);
  const scores: CandidateScore[] = [];
  let best: { candidate: DiscriminantOptions | null; score: CandidateScore } | undefined;
  for (const candidate of options.candidates) {
    const p = candidate === null ? identity(k) : fitDiscriminantProjection(fit.rows, fit.labels, fit.labels.length, k, candidate);
    const heldOut = retrievalQuality(
      { rows: applyAffine(fit.rows, fit.labels.length, k, zero, p, k), labels: fit.labels, dim: k },
      { rows: applyAffine(test.rows, test.labels.length, k, zero, p, k), labels: test.labels, dim: k },
    );
    const score = { method: describe(candidate, k), heldOut };
    scores.push(score);
    log(`  ${score.method.padEnd(60)} held-out 1-NN ${(100 * heldOut.nearestNeighbourAccuracy).toFixed(1)} %, mAP@10 ${(100 * heldOut.meanAveragePrecisionAt10).toFixed(1)} %`);
    if (best === undefined || better(heldOut, best.score.heldOut)) best = { candidate, score };
  }
  if (best === undefined) throw new RangeError('no head candidates given');
  const finalP = best.candidate === null ? identity(k) : fitDiscriminantProjection(whitened, labels, n, k, best.candidate);
  const weights = foldMatrices(finalP, whitening, k, inputDim);
  return {
    projection: { inputDim, outputDim: k, mean: Float32Array.from(pca.mean), weights },
    method: best.score.method,
    heldOut: best.score.heldOut,
    scores,
  };
}

function better(a: RetrievalQuality, b: RetrievalQuality): boolean {
  if (a.nearestNeighbourAccuracy !== b.nearestNeighbourAccuracy) return a.nearestNeighbourAccuracy > b.nearestNeighbourAccuracy;
  return a.meanAveragePrecisionAt10 > b.meanAveragePrecisionAt10;
}

function describe(c: DiscriminantOptions | null, k: number): string {
  if (c === null) return `pca-whiten-${k}`;
  return `pca-whiten-${k} + lda(shrinkage ${c.shrinkage}, weight (γ+${c.floor})^${c.power})`;
}

/** Stratified, seeded choice of `share` of each class (at least one row of every class with two or more). */
export function heldOutMask(labels: Int32Array, share: number, seed: number): Uint8Array {
  const mask = new Uint8Array(labels.length);
  const byClass = new Map<number, number[]>();
  labels.forEach((l, i) => byClass.set(l, [...(byClass.get(l) ?? []), i]));
  let state = seed >>> 0 || 1;
  const random = () => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state / 4294967296;
  };
  for (const rows of [...byClass.entries()].sort((a, b) => a[0] - b[0]).map(([, r]) => r)) {
    if (rows.length < 2) continue;
    for (let i = rows.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [rows[i], rows[j]] = [rows[j], rows[i]];
    }
    const take = Math.min(rows.length - 1, Math.max(1, Math.round(rows.length * share)));
    for (const r of rows.slice(0, take)) mask[r] = 1;
  }
  return mask;
}

function subset(rows: Float32Array, labels: Int32Array, k: number, mask: Uint8Array, held: boolean): { rows: Float32Array; labels: Int32Array } {
  const picked: number[] = [];
  mask.forEach((m, i) => {
    if ((m === 1) === held) picked.push(i);
  });
  const out = new Float32Array(picked.length * k);
  picked.forEach((r, i) => out.set(rows.subarray(r * k, (r + 1) * k), i * k));
  return { rows: out, labels: Int32Array.from(picked.map((r) => labels[r])) };
}

function identity(k: number): Float64Array {
  const m = new Float64Array(k * k);
  for (let i = 0; i < k; i++) m[i * k + i] = 1;
  return m;
}

/** P (k × k) · W (k × d) as float32. */
function foldMatrices(p: Float64Array, w: Float64Array, k: number, d: number): Float32Array {
  const out = new Float64Array(k * d);
  for (let i = 0; i < k; i++) {
    for (let l = 0; l < k; l++) {
      const pil = p[i * k + l];
      if (pil === 0) continue;
      for (let j = 0; j < d; j++) out[i * d + j] += pil * w[l * d + j];
    }
  }
  return Float32Array.from(out);
}

function sum(values: Float64Array): number {
  return values.reduce((a, b) => a + b, 0);
}

function totalVariance(rows: Float32Array, n: number, d: number, mean: Float64Array): number {
  let s = 0;
  for (let r = 0; r < n; r++) for (let i = 0; i < d; i++) s += (rows[r * d + i] - mean[i]) ** 2;
  return s / Math.max(1, n - 1);
}
