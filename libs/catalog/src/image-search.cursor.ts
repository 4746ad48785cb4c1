import { createHash } from 'node:crypto';
import type { CatalogFilter } from './catalog-filter';

/** Sort values of one hit, as Elasticsearch returns them and takes them back in `search_after`. */
export type SortValues = (string | number)[];

/** Identifies the query a cursor belongs to: a cursor is only valid with the same filter (and so the same sort). */
export function queryFingerprint(filter: CatalogFilter): string {
  return createHash('sha256').update(JSON.stringify(filter)).digest('base64url').slice(0, 16);
}

/**
 * Opaque paging cursor: the sort values of the last hit of a page plus the
 * fingerprint of the query. Clients pass it back unchanged; its layout is not
 * part of the API.
 */
export function encodeCursor(filter: CatalogFilter, after: SortValues): string {
  return Buffer.from(JSON.stringify({ q: queryFingerprint(filter), a: after })).toString('base64url');
}

/** The sort values of a cursor, or undefined when it is malformed or belongs to another query. */
export function decodeCursor(filter: CatalogFilter, cursor: string): SortValues | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const { q, a } = parsed as { q?: unknown; a?: unknown };
  if (q !== queryFingerprint(filter) || !Array.isArray(a) || a.length === 0 || a.length > 3) return undefined;
  if (!a.every((v): v is string | number => typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v)))) return undefined;
  return a;
}
