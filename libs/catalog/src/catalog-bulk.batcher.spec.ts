import { DependencyUnavailableError } from '@stylestream/errors';
import { CatalogBulkBatcher } from './catalog-bulk.batcher';
import type { CatalogStore } from './catalog-store.port';
import type { CatalogWrite, CatalogWriteResult } from './catalog-write';

const write = (id: string): CatalogWrite => ({ kind: 'merge', id, merge: () => undefined });

class RecordingStore implements CatalogStore {
  readonly batches: string[][] = [];
  fail: Error | undefined;
  apply(writes: readonly CatalogWrite[]): Promise<CatalogWriteResult[]> {
    this.batches.push(writes.map((w) => w.id));
    if (this.fail !== undefined) return Promise.reject(this.fail);
    return Promise.resolve(writes.map((w) => (w.id.startsWith('bad') ? { status: 'failed', error: new Error(`rejected ${w.id}`) } : { status: 'applied' })));
  }
}

describe('CatalogBulkBatcher', () => {
  it('flushes when the batch is full and hands each caller its own result', async () => {
    const store = new RecordingStore();
    const batcher = new CatalogBulkBatcher(store, { maxBatch: 3, lingerMs: 60_000 });
    const results = await Promise.all(['a', 'bad1', 'c'].map((id) => batcher.submit(write(id))));
    expect(store.batches).toEqual([['a', 'bad1', 'c']]);
    expect(results.map((r) => r.status)).toEqual(['applied', 'failed', 'applied']);
  });

  it('flushes a partial batch after the linger time', async () => {
    const store = new RecordingStore();
    const batcher = new CatalogBulkBatcher(store, { maxBatch: 100, lingerMs: 5 });
    await expect(Promise.all([batcher.submit(write('a')), batcher.submit(write('b'))])).resolves.toHaveLength(2);
    expect(store.batches).toEqual([['a', 'b']]);
  });

  it('rejects every caller of a batch the store could not attempt', async () => {
    const store = new RecordingStore();
    store.fail = new DependencyUnavailableError('elasticsearch', 'connection refused');
    const batcher = new CatalogBulkBatcher(store, { maxBatch: 2, lingerMs: 5 });
    const outcomes = await Promise.allSettled([batcher.submit(write('a')), batcher.submit(write('b'))]);
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected']);
    expect((outcomes[0] as PromiseRejectedResult).reason).toBeInstanceOf(DependencyUnavailableError);
  });
});
