import { DependencyUnavailableError, InvalidInputError } from '@stylestream/errors';
import type { CatalogStore, CatalogWrite, CatalogWriteResult } from '@stylestream/catalog';
import { metricsRegistry } from '@stylestream/metrics';
import { MeteredCatalogStore } from './metered-catalog.store';

const write = (id: string): CatalogWrite => ({ kind: 'versioned', id, version: 1, doc: {} as never });

async function seriesValue(name: string, labels: Record<string, string>): Promise<number> {
  const metric = await metricsRegistry.getSingleMetric(name)?.get();
  const match = metric?.values.find((v) => Object.entries(labels).every(([k, value]) => String(v.labels[k]) === value));
  return match?.value ?? 0;
}

describe('MeteredCatalogStore', () => {
  beforeEach(() => metricsRegistry.resetMetrics());

  it('times each apply, records its size and counts failed writes by error class', async () => {
    const results: CatalogWriteResult[] = [
      { status: 'applied' },
      { status: 'failed', error: new InvalidInputError('mapping', 'MAPPER_PARSING') },
      { status: 'unchanged', reason: 'replay' },
    ];
    const inner: CatalogStore = { apply: () => Promise.resolve(results) };
    await expect(new MeteredCatalogStore(inner).apply([write('a'), write('b'), write('c')])).resolves.toBe(results);
    expect(await seriesValue('stylestream_sink_insert_duration_seconds', { sink: 'elasticsearch', le: '+Inf' })).toBe(1);
    expect(await seriesValue('stylestream_sink_insert_batch_size_messages', { sink: 'elasticsearch', le: '5' })).toBe(1);
    expect(await seriesValue('stylestream_sink_insert_failures_total', { sink: 'elasticsearch', error_class: 'MAPPER_PARSING' })).toBe(1);
  });

  it('counts every write of a request that failed as a whole and rethrows', async () => {
    const error = new DependencyUnavailableError('elasticsearch', 'connection refused');
    const inner: CatalogStore = { apply: () => Promise.reject(error) };
    await expect(new MeteredCatalogStore(inner).apply([write('a'), write('b')])).rejects.toBe(error);
    expect(await seriesValue('stylestream_sink_insert_failures_total', { sink: 'elasticsearch', error_class: error.code })).toBe(2);
    expect(await seriesValue('stylestream_sink_insert_duration_seconds', { sink: 'elasticsearch', le: '+Inf' })).toBe(1);
  });
});
