import { consumerLag } from '@stylestream/kafka';
import { CatalogImageSearch, parseImageSearch } from '@stylestream/catalog';
import { imageArrivedContract, sampleImageArrived } from '@stylestream/schemas';
import { waitFor } from '@stylestream/test-support';
import { runCatalogReindex } from '../src/reindex/catalog-reindex.run';
import { CatalogTestHarness } from './catalog-test.harness';

// Real: Kafka, schema registry, Elasticsearch. Live sink and reindex run in-process.
jest.setTimeout(120_000);

describe('catalogue reindex from the log', () => {
  let h: CatalogTestHarness;

  beforeEach(async () => {
    h = new CatalogTestHarness();
    await h.setUp();
  });
  afterEach(() => h.close());

  it('builds <alias>-v2 from the topics, swaps the alias and deletes -v1 while readers never see an error or an empty result', async () => {
    const ia = imageArrivedContract.onTopic(h.topics.imageArrived);
    const count = 200;
    await h.producer.sendBatch(ia, Array.from({ length: count }, (_, i) => ({ key: `img-${i}`, value: sampleImageArrived({ imageId: `img-${i}` }) })));
    const live = await h.startSink(undefined, false);
    await waitFor(async () => (await consumerLag(h.kafka, live.groupId, h.topicList)) === 0, { timeoutMs: 30_000, what: 'live sink caught up' });
    await h.es.indices.refresh({ index: h.alias });

    const search = new CatalogImageSearch(h.es, h.alias);
    const failures: string[] = [];
    const totals: number[] = [];
    let reading = true;
    const reader = (async () => {
      while (reading) {
        try {
          const result = await search.search(parseImageSearch({ size: '1', facets: 'category' }));
          totals.push(result.total);
          if (result.total !== count) failures.push(`total ${result.total}`);
        } catch (err) {
          failures.push(String(err));
        }
      }
    })();

    const report = await runCatalogReindex({ ...h.sinkOptions(false), lifecycle: h.lifecycle, groupBase: live.groupId, timeoutMs: 60_000, pollMs: 100, deleteOld: { keep: 0, graceMs: 200 } }, h.logger);
    // Keep reading a little after the swap, on the new index.
    const after = totals.length;
    await waitFor(() => totals.length > after + 20, { what: 'reads after the swap' });
    reading = false;
    await reader;

    expect(report).toMatchObject({ index: `${h.alias}-v2`, previous: `${h.alias}-v1`, removed: [`${h.alias}-v1`] });
    expect(await h.es.indices.exists({ index: `${h.alias}-v1` })).toBe(false);
    expect(await h.lifecycle.currentIndex()).toBe(`${h.alias}-v2`);
    expect(failures).toEqual([]);
    expect(totals.length).toBeGreaterThan(20);
    expect((await h.es.count({ index: `${h.alias}-v2` })).count).toBe(count);
    const mapping = await h.es.indices.getMapping({ index: `${h.alias}-v2` });
    expect(Object.values(mapping)[0]?.mappings.properties?.title).toMatchObject({ type: 'text' });
  });
});
