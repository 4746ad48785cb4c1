import { z } from 'zod';
import { InvalidInputError } from '@stylestream/errors';

/** POST /v1/knn body, validated. */
export interface KnnRequest {
  readonly vector: Float32Array;
  readonly k: number;
  readonly ef?: number;
  readonly modelVersion?: string;
  readonly filterIds?: readonly string[];
  readonly excludeIds?: readonly string[];
}

const ids = z.array(z.string().min(1));

function bodySchema(dim: number, maxK: number) {
  return z.object({
    vector: z
      .array(z.number().refine(Number.isFinite, 'must be finite numbers'))
      .length(dim, `must have ${dim} components`),
    k: z.number().int().min(1).max(maxK, `must be at most ${maxK} (INDEX_MAX_K)`),
    ef: z.number().int().min(1).max(1_000_000).optional(),
    modelVersion: z.string().min(1).optional(),
    filterIds: ids.optional(),
    excludeIds: ids.optional(),
  });
}

/**
 * Decodes a k-NN body; throws InvalidInputError (HTTP 400) whose message
 * names the first bad field, e.g. `k: must be at most 20000`. The vector is
 * used as given (the search API normalises); a zero vector is refused.
 */
export function parseKnnRequest(body: unknown, dim: number, maxK: number): KnnRequest {
  const parsed = bodySchema(dim, maxK).safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue === undefined || issue.path.length === 0 ? 'body' : issue.path.map(String).join('.');
    throw new InvalidInputError(`${field}: ${issue?.message ?? 'invalid'}`, 'INVALID_KNN_REQUEST');
  }
  const { vector, ...rest } = parsed.data;
  if (vector.every((x) => x === 0)) throw new InvalidInputError('vector: must not be all zeros', 'INVALID_KNN_REQUEST');
  return { ...rest, vector: Float32Array.from(vector) };
}
