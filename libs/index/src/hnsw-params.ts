import { InvalidInputError } from '@stylestream/errors';

/** Distance spaces used on L2-normalised vectors: cosine, or inner product (equivalent and cheaper). */
export type HnswSpace = 'cosine' | 'ip';

/** Parameters of every shard of one index (one model version). */
export interface HnswParams {
  readonly dim: number;
  readonly space: HnswSpace;
  /** Graph degree (hnswlib M). */
  readonly m: number;
  readonly efConstruction: number;
  /** Search-time candidate list size; a query may override it. */
  readonly ef: number;
  readonly seed: number;
}

export const DEFAULT_HNSW_PARAMS: Omit<HnswParams, 'dim'> = { space: 'ip', m: 16, efConstruction: 200, ef: 64, seed: 100 };

/** How far |v| may be from 1 before a vector counts as not normalised. */
export const NORM_TOLERANCE = 1e-3;

/**
 * Checks a vector is fit for the index: `dim` finite components with unit
 * L2 norm (both spaces assume normalised vectors). Throws InvalidInputError
 * with code VECTOR_DIMENSION, VECTOR_NOT_FINITE or VECTOR_NOT_NORMALISED.
 */
export function assertIndexable(vector: ArrayLike<number>, dim: number): void {
  if (vector.length !== dim) throw new InvalidInputError(`vector has ${vector.length} dimensions, the index expects ${dim}`, 'VECTOR_DIMENSION');
  let sq = 0;
  for (let i = 0; i < vector.length; i += 1) {
    const x = vector[i] ?? Number.NaN;
    if (!Number.isFinite(x)) throw new InvalidInputError(`vector component ${i} is ${x}`, 'VECTOR_NOT_FINITE');
    sq += x * x;
  }
  const norm = Math.sqrt(sq);
  if (Math.abs(norm - 1) > NORM_TOLERANCE) throw new InvalidInputError(`vector norm is ${norm.toFixed(6)}, expected 1 ± ${NORM_TOLERANCE}`, 'VECTOR_NOT_NORMALISED');
}
