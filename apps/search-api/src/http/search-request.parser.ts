import { InvalidInputError } from '@stylestream/errors';
import { catalogFilterFromQuery, parseCatalogFilter, type CatalogFilter } from '@stylestream/catalog';
import type { VectorQuery } from '../domain/search-query';

/** Bounds of the request parameters (from the config). */
export interface SearchLimits {
  readonly dim: number;
  readonly defaultK: number;
  /** Largest k of one page (SEARCH_MAX_K). */
  readonly maxK: number;
  readonly maxEf: number;
}

/** Options every search endpoint takes, before the query vector is known. */
export interface SearchOptions {
  readonly k: number;
  readonly ef?: number;
  readonly modelVersion?: string;
  readonly filter: CatalogFilter;
}

const MODEL_VERSION = /^[A-Za-z0-9._@-]{1,100}$/;

export function badParameter(name: string, message: string): never {
  throw new InvalidInputError(`parameter "${name}": ${message}`, 'INVALID_PARAMETER');
}

/** An integer given as a JSON number or a decimal string (multipart fields and query strings are strings). */
function intParam(name: string, raw: unknown, min: number, max: number): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  const n = typeof raw === 'number' ? raw : typeof raw === 'string' && /^\d+$/.test(raw.trim()) ? Number(raw.trim()) : Number.NaN;
  if (!Number.isInteger(n) || n < min || n > max) badParameter(name, `must be an integer between ${min} and ${max}`);
  return n;
}

function boolParam(name: string, raw: unknown): boolean | undefined {
  if (raw === undefined || raw === '') return undefined;
  if (raw === true || raw === 'true' || raw === '1') return true;
  if (raw === false || raw === 'false' || raw === '0') return false;
  return badParameter(name, 'must be true or false');
}

function stringParam(name: string, raw: unknown): string | undefined {
  if (raw === undefined || raw === '') return undefined;
  if (typeof raw !== 'string') badParameter(name, 'must be a string');
  return raw;
}

function modelVersionParam(raw: unknown): string | undefined {
  const v = stringParam('modelVersion', raw);
  if (v !== undefined && !MODEL_VERSION.test(v)) badParameter('modelVersion', 'must be 1-100 letters, digits or ._@-');
  return v;
}

function withExcludeDuplicates(filter: CatalogFilter, raw: unknown): CatalogFilter {
  const exclude = boolParam('excludeDuplicates', raw);
  return exclude === true ? { ...filter, excludeDuplicates: true } : filter;
}

/**
 * Options of a POST body (JSON, or multipart text fields where `filter` is a
 * JSON string): k, ef, modelVersion, filter, excludeDuplicates. Throws
 * InvalidInputError naming the parameter (or the filter field).
 */
export function parseBodyOptions(body: Record<string, unknown>, limits: SearchLimits): SearchOptions {
  let rawFilter = body.filter;
  if (typeof rawFilter === 'string') {
    try {
      rawFilter = JSON.parse(rawFilter) as unknown;
    } catch {
      badParameter('filter', 'must be a JSON object');
    }
  }
  const filter = withExcludeDuplicates(parseCatalogFilter(rawFilter ?? {}, 'filter'), body.excludeDuplicates);
  const ef = intParam('ef', body.ef, 1, limits.maxEf);
  const modelVersion = modelVersionParam(body.modelVersion);
  return { k: intParam('k', body.k, 1, limits.maxK) ?? limits.defaultK, ...(ef === undefined ? {} : { ef }), ...(modelVersion === undefined ? {} : { modelVersion }), filter };
}

/** Options of a GET query string: k, ef, modelVersion, and the catalogue's filter parameters (one per label dimension, source, bloggerId, publishedFrom/To, excludeDuplicates, q). */
export function parseQueryOptions(query: Record<string, unknown>, limits: SearchLimits, allowed: readonly string[]): SearchOptions {
  for (const name of Object.keys(query)) if (!allowed.includes(name)) badParameter(name, `unknown; accepted: ${allowed.join(', ')}`);
  const filter = catalogFilterFromQuery(query);
  const ef = intParam('ef', query.ef, 1, limits.maxEf);
  const modelVersion = modelVersionParam(query.modelVersion);
  return { k: intParam('k', query.k, 1, limits.maxK) ?? limits.defaultK, ...(ef === undefined ? {} : { ef }), ...(modelVersion === undefined ? {} : { modelVersion }), filter };
}

/**
 * A query vector: `dim` finite numbers, not all zero. It is L2-normalised and
 * rounded to float32 here (the owners' precision), so the scores of every page
 * of a paged search are computed from the same vector. Checked by one loop
 * (on the path of every query; a schema library costs more than the rest of
 * the request's validation together).
 */
export function parseVector(raw: unknown, dim: number, name = 'vector'): number[] {
  if (!Array.isArray(raw)) return badParameter(name, `must be an array; expected an array of ${dim} numbers`);
  const v = raw as unknown[];
  for (let i = 0; i < v.length; i += 1) {
    const x = v[i];
    if (typeof x !== 'number' || !Number.isFinite(x)) badParameter(name, `component ${i}: components must be finite numbers; expected an array of ${dim} numbers`);
  }
  if (v.length !== dim) badParameter(name, `has ${v.length} components, the index has ${dim}`);
  return normalised(v as number[], name);
}

export function normalised(v: readonly number[], name = 'vector'): number[] {
  let sq = 0;
  for (const x of v) sq += x * x;
  if (!(sq > 0) || !Number.isFinite(sq)) badParameter(name, 'must have a non-zero, finite norm');
  const inv = 1 / Math.sqrt(sq);
  return Array.from(Float32Array.from(v, (x) => x * inv));
}

/** A first-page query from its vector and options. */
export function firstPage(vector: number[], options: SearchOptions, excludeIds: readonly string[] = []): VectorQuery {
  return { vector, k: options.k, ...(options.ef === undefined ? {} : { ef: options.ef }), ...(options.modelVersion === undefined ? {} : { modelVersion: options.modelVersion }), filter: options.filter, excludeIds, offset: 0 };
}
