import { InvalidInputError } from '@stylestream/errors';

/**
 * What a vector-extracted record must satisfy before it is classified:
 * its model version is one of `models` (and, where a dimension is given for
 * that version, the record's `dim` equals it), and its vector is
 * L2-normalised within `normTolerance` (|‖v‖ − 1| ≤ tolerance): the index
 * space is inner product on unit vectors, and cosine thresholds assume them.
 * A record that fails is dead-lettered (InvalidInputError, never retriable)
 * with one of the codes below as its reason.
 */
export interface VectorInputPolicy {
  /** Known model versions → expected dimension (null: any dimension). */
  readonly models: ReadonlyMap<string, number | null>;
  readonly normTolerance: number;
}

export const MODEL_VERSION_UNKNOWN = 'MODEL_VERSION_UNKNOWN';
export const VECTOR_DIM_MISMATCH = 'VECTOR_DIM_MISMATCH';
export const VECTOR_NOT_FINITE = 'VECTOR_NOT_FINITE';
export const VECTOR_NOT_NORMALISED = 'VECTOR_NOT_NORMALISED';

const VERSION = /^[A-Za-z0-9._@-]{1,100}$/;

/**
 * Parses `DEDUPE_MODELS`: comma-separated `version` or `version=dim`, e.g.
 * `1.0.0=256,1.1.0=256`. Throws RangeError naming the bad entry.
 */
export function parseModelVersions(csv: string): Map<string, number | null> {
  const models = new Map<string, number | null>();
  for (const raw of csv.split(',')) {
    const entry = raw.trim();
    if (entry === '') continue;
    const [version = '', dimText, ...rest] = entry.split('=');
    const dim = dimText === undefined ? null : Number(dimText);
    if (!VERSION.test(version) || rest.length > 0 || (dim !== null && (!Number.isInteger(dim) || dim < 1))) {
      throw new RangeError(`bad model entry "${entry}": expected <version> or <version>=<dim>`);
    }
    models.set(version, dim);
  }
  if (models.size === 0) throw new RangeError('at least one model version is required');
  return models;
}

/** Checks a decoded vector against the record's declared model version and dimension; throws InvalidInputError with a reason. */
export function checkVectorInput(policy: VectorInputPolicy, modelVersion: string, dim: number, vector: Float32Array): void {
  if (!policy.models.has(modelVersion)) {
    throw new InvalidInputError(`unknown model version "${modelVersion}" (known: ${[...policy.models.keys()].join(', ')})`, MODEL_VERSION_UNKNOWN);
  }
  const expected = policy.models.get(modelVersion) ?? null;
  if (vector.length !== dim) throw new InvalidInputError(`vector holds ${vector.length} components, the record declares dim ${dim}`, VECTOR_DIM_MISMATCH);
  if (expected !== null && dim !== expected) {
    throw new InvalidInputError(`model version "${modelVersion}" has dim ${expected}, the record has ${dim}`, VECTOR_DIM_MISMATCH);
  }
  let sum = 0;
  for (const x of vector) {
    if (!Number.isFinite(x)) throw new InvalidInputError('vector has NaN or infinite components', VECTOR_NOT_FINITE);
    sum += x * x;
  }
  const norm = Math.sqrt(sum);
  if (!(Math.abs(norm - 1) <= policy.normTolerance)) {
    throw new InvalidInputError(`vector is not L2-normalised: norm ${norm.toPrecision(6)} (tolerance ${policy.normTolerance})`, VECTOR_NOT_NORMALISED);
  }
}
