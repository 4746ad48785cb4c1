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

/**
 * The body without its vector and id lists (checked by loops: a per-element
 * schema costs more than the rest of the request, and candidate lists carry
 * up to tens of thousands of ids).
 */
function bodySchema(maxK: number) {
  return z.object({
    vector: z.unknown().optional(),
    k: z.number().int().min(1).max(maxK, `must be at most ${maxK} (INDEX_MAX_K)`),
    ef: z.number().int().min(1).max(1_000_000).optional(),
    modelVersion: z.string().min(1).optional(),
    filterIds: z.unknown().optional(),
    excludeIds: z.unknown().optional(),
  });
}

/** One schema per maxK, built once (building it costs more than using it). */
const schemas = new Map<number, ReturnType<typeof bodySchema>>();

function invalid(field: string, message: string): never {
  throw new InvalidInputError(`${field}: ${message}`, 'INVALID_KNN_REQUEST');
}

/** `dim` finite numbers, not all zero, as float32. */
function vectorOf(raw: unknown, dim: number): Float32Array {
  if (raw === undefined) invalid('vector', 'required');
  if (!Array.isArray(raw)) invalid('vector', 'must be an array of numbers');
  const v = raw as unknown[];
  let nonZero = false;
  for (let i = 0; i < v.length; i += 1) {
    const x = v[i];
    if (typeof x !== 'number' || !Number.isFinite(x)) invalid(`vector.${i}`, 'must be finite numbers');
    if (x !== 0) nonZero = true;
  }
  if (v.length !== dim) invalid('vector', `must have ${dim} components`);
  if (!nonZero) invalid('vector', 'must not be all zeros');
  return Float32Array.from(v as number[]);
}

/** An optional list of non-empty strings. */
function idsOf(raw: unknown, field: string): string[] | undefined {
  if (raw === undefined) return undefined;
  if (!Array.isArray(raw)) invalid(field, 'must be an array of image ids');
  const list = raw as unknown[];
  for (let i = 0; i < list.length; i += 1) {
    const id = list[i];
    if (typeof id !== 'string' || id.length === 0) invalid(`${field}.${i}`, 'must be a non-empty string');
  }
  return list as string[];
}

/**
 * Decodes a k-NN body; throws InvalidInputError (HTTP 400) whose message
 * names the first bad field, e.g. `k: must be at most 20000`. The vector is
 * used as given (the search API normalises); a zero vector is refused.
 */
export function parseKnnRequest(body: unknown, dim: number, maxK: number): KnnRequest {
  let schema = schemas.get(maxK);
  if (schema === undefined) {
    schema = bodySchema(maxK);
    schemas.set(maxK, schema);
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) invalid('body', 'must be a JSON object');
  const vector = vectorOf((body as { vector?: unknown }).vector, dim);
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue === undefined || issue.path.length === 0 ? 'body' : issue.path.map(String).join('.');
    invalid(field, issue?.message ?? 'invalid');
  }
  const { k, ef, modelVersion } = parsed.data;
  const filterIds = idsOf(parsed.data.filterIds, 'filterIds');
  const excludeIds = idsOf(parsed.data.excludeIds, 'excludeIds');
  return { vector, k, ...(ef === undefined ? {} : { ef }), ...(modelVersion === undefined ? {} : { modelVersion }), ...(filterIds === undefined ? {} : { filterIds }), ...(excludeIds === undefined ? {} : { excludeIds }) };
}
