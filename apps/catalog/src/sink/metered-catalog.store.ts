import { errorClassOf } from '@stylestream/errors';
import type { CatalogStore, CatalogWrite, CatalogWriteResult } from '@stylestream/catalog';
import { sinkMetrics } from '@stylestream/metrics';

/**
 * A CatalogStore that records each `apply` (one bulk round trip to
 * Elasticsearch, with its reads) as `stylestream_sink_insert_duration_seconds`
 * and `stylestream_sink_insert_batch_size_messages`, and every write the store
 * did not apply as `stylestream_sink_insert_failures_total{error_class}`.
 * Results and errors pass through unchanged.
 */
export class MeteredCatalogStore implements CatalogStore {
  private readonly labels = { sink: 'elasticsearch' } as const;

  constructor(private readonly inner: CatalogStore) {}

  async apply(writes: readonly CatalogWrite[]): Promise<CatalogWriteResult[]> {
    sinkMetrics.insertRows.observe(this.labels, writes.length);
    const stopTimer = sinkMetrics.insertDuration.startTimer(this.labels);
    try {
      const results = await this.inner.apply(writes);
      for (const result of results) if (result.status === 'failed') sinkMetrics.insertFailures.inc({ ...this.labels, error_class: errorClassOf(result.error) });
      return results;
    } catch (err) {
      sinkMetrics.insertFailures.inc({ ...this.labels, error_class: errorClassOf(err) }, writes.length);
      throw err;
    } finally {
      stopTimer();
    }
  }
}
