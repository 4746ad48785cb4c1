import { DependencyUnavailableError, withinDeadline } from '@stylestream/errors';
import type { CatalogStore, CatalogWrite, CatalogWriteResult } from '@stylestream/catalog';

/**
 * A CatalogStore whose `apply` answers within `deadlineMs` or fails with
 * DependencyUnavailableError (the sink then pauses the partition and writes
 * the batch again later; writes are idempotent by their offset guards). The
 * Elasticsearch client's own request timeout and retries should answer
 * first: this bounds the case where they do not (its bundled undici 6 never
 * settles a request whose connection was accepted and then closed, e.g. by a
 * proxy in front of a stopped node), which would otherwise stall the sink
 * for good.
 */
export class DeadlineCatalogStore implements CatalogStore {
  constructor(
    private readonly inner: CatalogStore,
    private readonly deadlineMs: number,
  ) {}

  apply(writes: readonly CatalogWrite[]): Promise<CatalogWriteResult[]> {
    return withinDeadline(this.inner.apply(writes), this.deadlineMs, () => new DependencyUnavailableError('elasticsearch', `bulk of ${writes.length} writes: no answer within ${this.deadlineMs} ms`));
  }
}
