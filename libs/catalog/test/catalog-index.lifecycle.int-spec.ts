import { CatalogEsHarness } from './catalog-es.harness';

// Real: Elasticsearch (local stack).
describe('CatalogIndexLifecycle.removeOldIndices against Elasticsearch', () => {
  let es: CatalogEsHarness;

  beforeEach(async () => {
    es = new CatalogEsHarness();
    await es.lifecycle.ensure();
  });
  afterEach(() => es.cleanup());

  async function existing(): Promise<string[]> {
    return (await es.lifecycle.versionedIndices()).map((v) => v.index);
  }

  it('deletes only indices older than the aliased one, keeping --keep of them, never the aliased or a newer one', async () => {
    const [v1, v2, v3, v4] = [1, 2, 3, 4].map((n) => es.lifecycle.indexName(n));
    await es.lifecycle.createNextIndex();
    await es.lifecycle.createNextIndex();
    await es.client.index({ index: v3 ?? '', id: 'kept', document: { imageId: 'kept', state: 'live', guards: {} }, refresh: true });
    await es.lifecycle.swapAlias(v3 ?? '');
    await es.lifecycle.createNextIndex(); // v4: a reindex in progress
    expect(await existing()).toEqual([v1, v2, v3, v4]);

    expect(await es.lifecycle.removeOldIndices({ keep: 1, dryRun: true })).toEqual({ current: v3, removed: [v1], kept: [v2, v4] });
    expect(await existing()).toEqual([v1, v2, v3, v4]);

    expect(await es.lifecycle.removeOldIndices({ keep: 1 })).toEqual({ current: v3, removed: [v1], kept: [v2, v4] });
    expect(await existing()).toEqual([v2, v3, v4]);

    expect(await es.lifecycle.removeOldIndices({ keep: 0 })).toEqual({ current: v3, removed: [v2], kept: [v4] });
    expect(await existing()).toEqual([v3, v4]);
    expect(await es.lifecycle.removeOldIndices()).toEqual({ current: v3, removed: [], kept: [v4] });

    expect(await es.lifecycle.currentIndex()).toBe(v3);
    expect((await es.client.count({ index: es.alias })).count).toBe(1);
  });

  it('deletes nothing when the alias is missing', async () => {
    await es.lifecycle.createNextIndex();
    await es.client.indices.deleteAlias({ index: es.lifecycle.indexName(1), name: es.alias });
    expect(await es.lifecycle.removeOldIndices()).toEqual({ current: undefined, removed: [], kept: [es.lifecycle.indexName(1), es.lifecycle.indexName(2)] });
    expect(await existing()).toHaveLength(2);
  });
});
