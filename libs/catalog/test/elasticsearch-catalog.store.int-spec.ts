import { sampleImageArrived, sampleIndexUpdated, sampleVectorCleaned } from '@stylestream/schemas';
import {
  CatalogDocState,
  CatalogImageDoc,
  CatalogWrite,
  ElasticsearchCatalogStore,
  externalVersionOf,
  mergeImageArrived,
  mergeTakeDown,
  mergeVectorCleaned,
} from '../src';
import { CatalogEsHarness } from './catalog-es.harness';

// Real: Elasticsearch (local stack). No Kafka: writes are built as the sink builds them.
describe('ElasticsearchCatalogStore against Elasticsearch', () => {
  let es: CatalogEsHarness;
  let store: ElasticsearchCatalogStore;

  beforeEach(async () => {
    es = new CatalogEsHarness();
    await es.lifecycle.ensure();
    store = new ElasticsearchCatalogStore(es.client, { images: es.alias, shards: es.shardsIndex }, { refresh: 'wait_for' });
  });
  afterEach(() => es.cleanup());

  async function get(id: string): Promise<{ doc: CatalogImageDoc; version: number } | undefined> {
    const r = await es.client.get<CatalogImageDoc>({ index: es.alias, id }, { ignore: [404] });
    return r.found && r._source !== undefined ? { doc: r._source, version: r._version ?? -1 } : undefined;
  }

  it('creates the alias on a -v1 index whose mapping comes from the template', async () => {
    expect(await es.lifecycle.currentIndex()).toBe(`${es.alias}-v1`);
    const mapping = await es.client.indices.getMapping({ index: es.alias });
    const props = Object.values(mapping)[0]?.mappings.properties ?? {};
    expect(props.title).toMatchObject({ type: 'text' });
    expect(props.labels).toMatchObject({ properties: { category: { type: 'keyword' }, color: { type: 'keyword' } } });
    expect(props.publishedAt).toMatchObject({ type: 'date' });
    expect(Object.values(mapping)[0]?.mappings.dynamic).toBe('strict');
  });

  it('replaying the same events leaves the same documents with the same versions', async () => {
    const writes: CatalogWrite[] = [
      { kind: 'merge', id: 'a', merge: mergeImageArrived('a', sampleImageArrived({ imageId: 'a' }), 3) },
      { kind: 'merge', id: 'a', merge: mergeVectorCleaned('a', sampleVectorCleaned({ imageId: 'a' }), 0, 9) },
      { kind: 'merge', id: 'b', merge: mergeImageArrived('b', sampleImageArrived({ imageId: 'b', title: 'Blue coat' }), 4) },
      { kind: 'versioned', id: 'shard-1', version: externalVersionOf(7), doc: { ...sampleIndexUpdated({ shardId: 'shard-1' }), partitions: [] } },
    ];
    expect((await store.apply(writes)).map((r) => r.status)).toEqual(['applied', 'applied', 'applied', 'applied']);
    const first = [await get('a'), await get('b')];
    expect(first[0]?.doc).toMatchObject({ state: CatalogDocState.LIVE, title: 'Summer look', dedupe: { status: 'NEAR_DUPLICATE', offset: 9 }, guards: { imageArrived: 3, vectorCleaned: 9 } });

    expect((await store.apply(writes)).map((r) => r.status)).toEqual(['unchanged', 'unchanged', 'unchanged', 'unchanged']);
    expect([await get('a'), await get('b')]).toEqual(first);
  });

  it('a take-down stays down when an older image-arrived event arrives late; a newer one brings the image back', async () => {
    await store.apply([{ kind: 'merge', id: 'c', merge: mergeImageArrived('c', sampleImageArrived({ imageId: 'c' }), 10) }]);
    expect(await store.apply([{ kind: 'merge', id: 'c', merge: mergeTakeDown('c', 11) }])).toEqual([{ status: 'applied' }]);
    expect((await get('c'))?.doc).toEqual({ imageId: 'c', state: CatalogDocState.TAKEN_DOWN, guards: { imageArrived: 11 } });

    const late = await store.apply([{ kind: 'merge', id: 'c', merge: mergeImageArrived('c', sampleImageArrived({ imageId: 'c' }), 10) }]);
    expect(late[0]?.status).toBe('unchanged');
    expect((await get('c'))?.doc.state).toBe(CatalogDocState.TAKEN_DOWN);

    await store.apply([{ kind: 'merge', id: 'c', merge: mergeImageArrived('c', sampleImageArrived({ imageId: 'c' }), 12) }]);
    expect((await get('c'))?.doc.state).toBe(CatalogDocState.LIVE);
  });

  it('rejects only the bad document of a bulk, with Elasticsearch\'s reason', async () => {
    const huge = 'x'.repeat(40_000);
    const bad = sampleImageArrived({ imageId: 'bad', labels: { ...sampleImageArrived().labels, color: [huge] } });
    const results = await store.apply([
      { kind: 'merge', id: 'ok1', merge: mergeImageArrived('ok1', sampleImageArrived({ imageId: 'ok1' }), 1) },
      { kind: 'merge', id: 'bad', merge: mergeImageArrived('bad', bad, 2) },
      { kind: 'merge', id: 'ok2', merge: mergeImageArrived('ok2', sampleImageArrived({ imageId: 'ok2' }), 3) },
    ]);
    expect(results.map((r) => r.status)).toEqual(['applied', 'failed', 'applied']);
    const failure = results[1];
    expect(failure?.status === 'failed' && failure.error).toMatchObject({ code: 'CATALOG_DOCUMENT_REJECTED', retriable: false });
    expect(failure?.status === 'failed' && failure.error.message).toMatch(/immense term|labels\.color/);
    expect(await get('bad')).toBeUndefined();
  });

  it('merges concurrent writers of one document without losing either (conditional writes re-read on conflict)', async () => {
    const other = new ElasticsearchCatalogStore(es.client, { images: es.alias, shards: es.shardsIndex }, { refresh: 'wait_for' });
    await Promise.all([
      store.apply([{ kind: 'merge', id: 'd', merge: mergeImageArrived('d', sampleImageArrived({ imageId: 'd' }), 5) }]),
      other.apply([{ kind: 'merge', id: 'd', merge: mergeVectorCleaned('d', sampleVectorCleaned({ imageId: 'd' }), 1, 6) }]),
    ]);
    expect((await get('d'))?.doc).toMatchObject({ state: CatalogDocState.LIVE, guards: { imageArrived: 5, vectorCleaned: 6 }, dedupe: { offset: 6 } });
  });
});
