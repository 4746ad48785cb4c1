import { consumerLag } from '@stylestream/kafka';
import { CatalogDocState, CatalogImageSearch, type CatalogShardDoc, parseImageSearch } from '@stylestream/catalog';
import { imageArrivedContract, indexUpdatedContract, sampleImageArrived, sampleIndexUpdated, sampleVectorCleaned, vectorCleanedContract } from '@stylestream/schemas';
import { waitFor } from '@stylestream/test-support';
import { CatalogTestHarness } from './catalog-test.harness';

// Real: Kafka, schema registry, Elasticsearch. The sink runs in-process (createCatalogSink).
jest.setTimeout(90_000);

describe('catalogue sink from Kafka into Elasticsearch', () => {
  let h: CatalogTestHarness;

  beforeEach(async () => {
    h = new CatalogTestHarness();
    await h.setUp();
  });
  afterEach(() => h.close());

  it('indexes the three topics, dead-letters only the bad document with its reason, and a replay changes nothing', async () => {
    const ia = imageArrivedContract.onTopic(h.topics.imageArrived);
    const labels = sampleImageArrived().labels;
    await h.producer.sendBatch(ia, [
      { key: 'a', value: sampleImageArrived({ imageId: 'a', title: 'Red silk dress' }) },
      { key: 'b', value: sampleImageArrived({ imageId: 'b', title: 'Blue wool coat', labels: { ...labels, color: ['blue'], category: ['coat'] } }) },
      { key: 'bad', value: sampleImageArrived({ imageId: 'bad', labels: { ...labels, color: ['x'.repeat(40_000)] } }) },
      { key: 'c', value: sampleImageArrived({ imageId: 'c' }) },
    ]);
    await h.producer.send(ia, 'c', null);
    await h.producer.send(vectorCleanedContract.onTopic(h.topics.vectorCleaned), 'a', sampleVectorCleaned({ imageId: 'a', status: 'EXACT_DUPLICATE', duplicateOf: 'z' }));
    await h.producer.send(indexUpdatedContract.onTopic(h.topics.indexUpdated), 'shard-1', sampleIndexUpdated({ shardId: 'shard-1' }));

    const first = await h.startSink();
    const [letter] = await h.deadLetters(h.topics.imageArrived, 1);
    expect(letter).toMatchObject({ key: Buffer.from('bad'), stage: 'catalog', errorClass: 'CATALOG_DOCUMENT_REJECTED', retriable: false });
    expect(letter?.reason).toMatch(/document bad: HTTP 400 .*immense term/);

    await waitFor(async () => (await consumerLag(h.kafka, first.groupId, h.topicList)) === 0, { timeoutMs: 30_000, what: 'sink caught up' });
    const docs = { a: await h.doc('a'), b: await h.doc('b'), c: await h.doc('c') };
    expect(docs.a?.doc).toMatchObject({ state: CatalogDocState.LIVE, title: 'Red silk dress', dedupe: { status: 'EXACT_DUPLICATE', duplicateOf: 'z' } });
    expect(docs.b?.doc.state).toBe(CatalogDocState.LIVE);
    expect(docs.c?.doc).toMatchObject({ state: CatalogDocState.TAKEN_DOWN });
    expect(await h.doc('bad')).toBeUndefined();
    const shard = await h.es.get<CatalogShardDoc>({ index: h.shardsIndex, id: 'shard-1' });
    expect(shard._source).toMatchObject({ snapshotVersion: 17, sealed: false });
    const shardVersion = shard._version;

    const search = new CatalogImageSearch(h.es, h.alias);
    await h.es.indices.refresh({ index: h.alias });
    const all = await search.search(parseImageSearch({}));
    expect(all.images.map((i) => i.imageId).sort()).toEqual(['a', 'b']);
    expect(all.facets.color).toEqual(expect.arrayContaining([{ value: 'blue', count: 1 }, { value: 'red', count: 1 }]));
    expect((await search.search(parseImageSearch({ q: 'coat' }))).images.map((i) => i.imageId)).toEqual(['b']);
    expect((await search.search(parseImageSearch({ category: 'dress', size: '0' }))).total).toBe(1);

    // Replay everything (a new group from the beginning, e.g. after a lost commit): the older
    // image-arrived of c (below its tombstone) must not resurrect it; no document changes.
    await first.consumer.stop();
    const replay = await h.startSink();
    await waitFor(async () => (await consumerLag(h.kafka, replay.groupId, h.topicList)) === 0, { timeoutMs: 30_000, what: 'replay caught up' });
    expect({ a: await h.doc('a'), b: await h.doc('b'), c: await h.doc('c') }).toEqual(docs);
    expect((await h.es.get({ index: h.shardsIndex, id: 'shard-1' }))._version).toBe(shardVersion);
    await h.deadLetters(h.topics.imageArrived, 2);
  });
});
