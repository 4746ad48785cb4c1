import type { CatalogWrite, CatalogWriteResult } from './catalog-write';

/**
 * Where the catalogue sink writes. `apply` writes a batch and resolves with one
 * result per write, in order; it resolves only once every `applied` write is
 * durable in the store (acknowledged by the primary and its replicas).
 * Writes of the same document are applied in the order given.
 * Rejects (DependencyUnavailableError) only when the whole batch could not be
 * attempted (store unreachable, overloaded); per-write failures are results.
 */
export interface CatalogStore {
  apply(writes: readonly CatalogWrite[]): Promise<CatalogWriteResult[]>;
}
