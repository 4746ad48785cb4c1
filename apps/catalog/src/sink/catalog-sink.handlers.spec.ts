import { DependencyUnavailableError, InvalidInputError } from '@stylestream/errors';
import { type ConsumedMessage, submitEach } from '@stylestream/kafka';
import { type CatalogStore, type CatalogWrite, type CatalogWriteResult, CatalogBulkBatcher, CatalogDocState } from '@stylestream/catalog';
import { type ImageArrived, type VectorCleaned, sampleImageArrived, sampleIndexUpdated, sampleVectorCleaned } from '@stylestream/schemas';
import { CatalogSinkHandlers } from './catalog-sink.handlers';

function message<T>(value: T | null, offset = 7, key: string | null = 'img-0001'): ConsumedMessage<T> {
  const base = { topic: 't', partition: 1, offset: String(offset), key, headers: {}, timestamp: '0', attempt: 1 };
  return value === null ? { ...base, tombstone: true, value: null } : { ...base, tombstone: false, value };
}

class ScriptedStore implements CatalogStore {
  readonly writes: CatalogWrite[] = [];
  constructor(private readonly answer: (w: CatalogWrite) => CatalogWriteResult | Error) {}
  apply(writes: readonly CatalogWrite[]): Promise<CatalogWriteResult[]> {
    this.writes.push(...writes);
    const answers = writes.map(this.answer);
    const thrown = answers.find((a): a is Error => a instanceof Error);
    return thrown === undefined ? Promise.resolve(answers as CatalogWriteResult[]) : Promise.reject(thrown);
  }
}

const handlersOver = (store: CatalogStore) => new CatalogSinkHandlers(new CatalogBulkBatcher(store, { maxBatch: 1, lingerMs: 0 }));

describe('CatalogSinkHandlers', () => {
  it('as a batch handler, puts a partition batch into one bulk in offset order and answers one outcome per message', async () => {
    const rejected = new InvalidInputError('mapping', 'CATALOG_DOCUMENT_REJECTED');
    const answers: CatalogWriteResult[] = [{ status: 'applied' }, { status: 'failed', error: rejected }, { status: 'unchanged', reason: 'already applied' }];
    const store = new ScriptedStore(() => answers.shift() ?? { status: 'applied' });
    const bulks: number[] = [];
    const counting: CatalogStore = { apply: (writes) => (bulks.push(writes.length), store.apply(writes)) };
    const h = new CatalogSinkHandlers(new CatalogBulkBatcher(counting, { maxBatch: 10, lingerMs: 1 }));
    const ids = ['img-a', 'img-b', 'img-c'];
    const outcomes = await submitEach(h.imageArrived)(ids.map((id, i) => message({ ...sampleImageArrived(), imageId: id }, i, id)));
    expect(outcomes).toEqual([{ kind: 'processed' }, { kind: 'failed', error: rejected }, { kind: 'skipped', reason: 'already applied' }]);
    expect(bulks).toEqual([3]);
    expect(store.writes.map((w) => w.id)).toEqual(ids);
  });

  it('maps applied → processed, unchanged → skipped, failed → failed with the write\'s own error', async () => {
    const rejected = new InvalidInputError('mapping', 'CATALOG_DOCUMENT_REJECTED');
    const answers: (CatalogWriteResult | Error)[] = [{ status: 'applied' }, { status: 'unchanged', reason: 'already applied' }, { status: 'failed', error: rejected }, new DependencyUnavailableError('elasticsearch', 'down')];
    const store = new ScriptedStore(() => answers.shift() ?? { status: 'applied' });
    const h = handlersOver(store);
    expect(await h.imageArrived(message(sampleImageArrived()))).toEqual({ kind: 'processed' });
    expect(await h.imageArrived(message(sampleImageArrived()))).toEqual({ kind: 'skipped', reason: 'already applied' });
    expect(await h.imageArrived(message(sampleImageArrived()))).toEqual({ kind: 'failed', error: rejected });
    expect(await h.imageArrived(message(sampleImageArrived()))).toMatchObject({ kind: 'failed', error: { code: 'DEPENDENCY_UNAVAILABLE' } });
  });

  it('turns a tombstone into a take-down merge guarded by its offset', async () => {
    const store = new ScriptedStore(() => ({ status: 'applied' }));
    await handlersOver(store).imageArrived(message<ImageArrived>(null, 12));
    const w = store.writes[0];
    expect(w?.kind === 'merge' && w.merge(undefined)).toEqual({ imageId: 'img-0001', state: CatalogDocState.TAKEN_DOWN, guards: { imageArrived: 12 } });
  });

  it('dead-letters records without a key or whose key is not the image id, without writing', async () => {
    const store = new ScriptedStore(() => ({ status: 'applied' }));
    const h = handlersOver(store);
    expect(await h.imageArrived(message(sampleImageArrived(), 1, null))).toMatchObject({ kind: 'failed', error: { code: 'KEY_MISSING' } });
    expect(await h.imageArrived(message(sampleImageArrived(), 1, 'other'))).toMatchObject({ kind: 'failed', error: { code: 'KEY_MISMATCH' } });
    expect(store.writes).toEqual([]);
  });

  it('records vector-cleaned as a dedupe merge and index-updated as an externally versioned shard document', async () => {
    const store = new ScriptedStore(() => ({ status: 'applied' }));
    const h = handlersOver(store);
    await h.vectorCleaned(message(sampleVectorCleaned(), 30));
    await h.indexUpdated(message(sampleIndexUpdated(), 4, 'shard-p0-0003'));
    expect(await h.vectorCleaned(message<VectorCleaned>(null))).toMatchObject({ kind: 'skipped' });
    const [dedupe, shard] = store.writes;
    expect(dedupe?.kind === 'merge' && dedupe.merge(undefined)).toMatchObject({ state: CatalogDocState.PENDING, dedupe: { status: 'NEAR_DUPLICATE', partition: 1, offset: 30 } });
    expect(shard).toMatchObject({ kind: 'versioned', id: 'shard-p0-0003', version: 5, doc: { snapshotVersion: 17 } });
  });
});
