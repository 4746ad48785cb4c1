import type { CatalogShardDoc } from './catalog-document';
import type { CatalogMerge } from './catalog-merge';

/**
 * One change to the catalogue, produced from one Kafka message.
 * - `merge`: read-modify-write of an image document, guarded per topic by offset and
 *   written conditionally on the version read (if_seq_no / if_primary_term).
 * - `versioned`: a document owned by a single topic and key, written with
 *   external versioning (version = offset + 1): a replay or an older event is a 409,
 *   i.e. already applied.
 */
export type CatalogWrite =
  | { readonly kind: 'merge'; readonly id: string; readonly merge: CatalogMerge }
  | { readonly kind: 'versioned'; readonly id: string; readonly version: number; readonly doc: CatalogShardDoc };

/**
 * What became of one write. `applied`: stored; `unchanged`: already applied or
 * older than what is stored (replay / reordering), nothing to do; `failed`: the
 * error says whether retrying can help (DependencyUnavailableError) or not
 * (InvalidInputError with Elasticsearch's reason for this document).
 */
export type CatalogWriteResult =
  | { readonly status: 'applied' }
  | { readonly status: 'unchanged'; readonly reason: string }
  | { readonly status: 'failed'; readonly error: Error };

/** Kafka offsets are < 2^53 in practice; external versions must be ≥ 1 here (offset 0 → version 1). */
export function externalVersionOf(offset: string | number): number {
  return Number(offset) + 1;
}
