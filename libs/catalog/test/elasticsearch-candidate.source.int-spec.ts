import { InvalidInputError } from '@stylestream/errors';
import { IMAGE_SOURCES, emptyLabels } from '@stylestream/schemas';
import { CatalogDocState, type CatalogImageDoc, CatalogImageSearch, ElasticsearchCandidateSource, parseCatalogFilter, parseImageSearch } from '../src';
import { CatalogEsHarness } from './catalog-es.harness';

// Real: Elasticsearch (local stack). Documents are bulk-loaded as the sink would have merged them.
jest.setTimeout(120_000);

const LIVE = 12_000; // past the 10,000 from/size window and one candidate page
const COLORS = ['red', 'blue', 'green', 'black'];

function doc(i: number): CatalogImageDoc {
  const labels = emptyLabels();
  labels.color = [COLORS[i % 4] ?? 'red'];
  labels.category = [i % 10 === 0 ? 'dress' : 'shirt'];
  return {
    imageId: `img-${i}`,
    state: CatalogDocState.LIVE,
    uri: `file:///c/${i}.jpg`,
    source: IMAGE_SOURCES[i % IMAGE_SOURCES.length],
    bloggerId: `blogger-${i % 100}`,
    // Ties on publishedAt (10 images per ms) make imageId the tiebreaker of deep pages.
    publishedAt: 1_760_000_000_000 + Math.floor(i / 10),
    crawledAt: 1_760_000_000_000,
    title: i % 3 === 0 ? `linen coat ${i}` : `cotton shirt ${i}`,
    labels,
    ...(i % 5 === 0 ? { dedupe: { status: 'NEAR_DUPLICATE' as const, duplicateOf: 'img-1', similarity: 0.97, cleanedAt: 1, partition: 0, offset: i } } : {}),
    guards: { imageArrived: i },
  };
}

describe('ElasticsearchCandidateSource and deep paging against Elasticsearch', () => {
  const es = new CatalogEsHarness();
  let candidates: ElasticsearchCandidateSource;

  beforeAll(async () => {
    await es.lifecycle.ensure();
    for (let start = 0; start < LIVE; start += 3_000) {
      const operations = Array.from({ length: 3_000 }, (_, k) => [{ index: { _index: es.alias, _id: `img-${start + k}` } }, doc(start + k)]).flat();
      const r = await es.client.bulk({ operations });
      expect(r.errors).toBe(false);
    }
    // Not matchable: a take-down marker and a pending document (carrying labels that would match).
    await es.client.bulk({
      refresh: true,
      operations: [
        { index: { _index: es.alias, _id: 'gone' } },
        { imageId: 'gone', state: CatalogDocState.TAKEN_DOWN, guards: { imageArrived: 99 } },
        { index: { _index: es.alias, _id: 'pending' } },
        { imageId: 'pending', state: CatalogDocState.PENDING, bloggerId: 'blogger-1', guards: { vectorCleaned: 3 } },
      ],
    });
    candidates = new ElasticsearchCandidateSource(es.client, es.alias);
  });
  afterAll(() => es.cleanup());

  it('counts matching live images exactly, per condition and combined', async () => {
    expect(await candidates.countMatching(parseCatalogFilter({}))).toBe(LIVE);
    expect(await candidates.countMatching(parseCatalogFilter({ labels: { color: ['red'] } }))).toBe(LIVE / 4);
    expect(await candidates.countMatching(parseCatalogFilter({ labels: { color: ['red', 'blue'] } }))).toBe(LIVE / 2);
    // red (i%4==0) AND dress (i%10==0) → i%20==0
    expect(await candidates.countMatching(parseCatalogFilter({ labels: { color: ['red'], category: ['dress'] } }))).toBe(LIVE / 20);
    expect(await candidates.countMatching(parseCatalogFilter({ bloggerIds: ['blogger-1', 'blogger-2'] }))).toBe(LIVE / 50);
    expect(await candidates.countMatching(parseCatalogFilter({ excludeDuplicates: true }))).toBe(LIVE - LIVE / 5);
    expect(await candidates.countMatching(parseCatalogFilter({ text: 'linen coat' }))).toBe(LIVE / 3);
    expect(await candidates.countMatching(parseCatalogFilter({ source: ['runway'], publishedFrom: 1_760_000_000_000, publishedTo: 1_760_000_000_099 }))).toBe(
      Array.from({ length: 1_000 }, (_, i) => i).filter((i) => i % IMAGE_SOURCES.length === 1).length,
    );
  });

  it('returns the exact id set of a selective filter in one page, with 2,000 blogger ids', async () => {
    const bloggerIds = [...Array.from({ length: 1_997 }, (_, i) => `nobody-${i}`), 'blogger-7', 'blogger-42', 'blogger-1'];
    const r = await candidates.candidateIds(parseCatalogFilter({ bloggerIds, labels: { color: ['blue', 'green'] } }), 1_000);
    const expected = Array.from({ length: LIVE }, (_, i) => i)
      .filter((i) => [7, 42, 1].includes(i % 100) && [1, 2].includes(i % 4))
      .map((i) => `img-${i}`);
    expect(r.total).toBe(expected.length);
    expect(r.truncated).toBe(false);
    expect([...r.ids].sort()).toEqual(expected.sort());
    expect(r.ids).not.toContain('pending');
  });

  it('fetches more than 10,000 ids over a point in time, and flags a truncated set', async () => {
    const all = await candidates.candidateIds(parseCatalogFilter({}), 20_000);
    expect(all).toMatchObject({ total: LIVE, truncated: false });
    expect(new Set(all.ids).size).toBe(LIVE);
    expect(all.ids).not.toContain('gone');

    // A limit above one page for a set within one page: no point in time needed, same answer.
    expect(await candidates.candidateIds(parseCatalogFilter({ bloggerIds: ['blogger-3'] }), 50_000)).toMatchObject({ total: LIVE / 100, truncated: false });

    const small = new ElasticsearchCandidateSource(es.client, es.alias, { pageSize: 700, factsChunk: 2 });
    const cut = await small.candidateIds(parseCatalogFilter({ excludeDuplicates: true }), 5_000);
    expect(cut).toMatchObject({ total: LIVE - LIVE / 5, truncated: true });
    expect(new Set(cut.ids).size).toBe(5_000);
    expect(cut.ids.every((id) => Number(id.slice(4)) % 5 !== 0)).toBe(true);

    expect(await small.candidateIds(parseCatalogFilter({}), 0)).toEqual({ ids: [], total: LIVE, truncated: true });
    await expect(small.candidateIds(parseCatalogFilter({}), -1)).rejects.toBeInstanceOf(InvalidInputError);
  });

  it('returns display facts by id, leaving out unknown, pending and taken-down images', async () => {
    const facts = await candidates.factsByIds(['img-5', 'img-6', 'gone', 'pending', 'no-such-image', 'img-5']);
    expect([...facts.keys()].sort()).toEqual(['img-5', 'img-6']);
    expect(facts.get('img-5')).toEqual({
      imageId: 'img-5',
      uri: 'file:///c/5.jpg',
      source: IMAGE_SOURCES[5],
      bloggerId: 'blogger-5',
      publishedAt: 1_760_000_000_000,
      labels: expect.objectContaining({ color: ['blue'], category: ['shirt'] }) as unknown,
      dedupeStatus: 'NEAR_DUPLICATE',
      duplicateOf: 'img-1',
    });
    expect(facts.get('img-6')).toMatchObject({ dedupeStatus: null, duplicateOf: null });
    // in chunks of two ids per request
    const chunked = await new ElasticsearchCandidateSource(es.client, es.alias, { factsChunk: 2 }).factsByIds(['img-1', 'img-2', 'gone', 'img-3', 'img-4']);
    expect([...chunked.keys()].sort()).toEqual(['img-1', 'img-2', 'img-3', 'img-4']);
  });

  it('pages GET /v1/images past the 10,000 window: from/size first, then cursors, every image once in sort order', async () => {
    const search = new CatalogImageSearch(es.client, es.alias);
    const first = await search.search(parseImageSearch({ size: '100', from: '0', facets: 'color' }));
    expect(first.total).toBe(LIVE);
    expect(first.facets.color).toEqual(expect.arrayContaining(COLORS.map((value) => ({ value, count: LIVE / 4 }))));
    const seen = first.images.map((i) => i.imageId);
    let cursor = first.nextCursor;
    while (cursor !== null) {
      const page = await search.search(parseImageSearch({ size: '100', cursor, facets: 'none' }));
      seen.push(...page.images.map((i) => i.imageId));
      cursor = page.nextCursor;
      expect(seen.length).toBeLessThanOrEqual(LIVE);
    }
    expect(seen.length).toBe(LIVE);
    expect(new Set(seen).size).toBe(LIVE);
    // newest first, imageId ascending within one publishedAt
    const expected = Array.from({ length: LIVE }, (_, i) => i)
      .sort((a, b) => Math.floor(b / 10) - Math.floor(a / 10) || (`img-${a}` < `img-${b}` ? -1 : 1))
      .map((i) => `img-${i}`);
    expect(seen).toEqual(expected);
  });

  it('pages a filtered, text-scored search with cursors too', async () => {
    const search = new CatalogImageSearch(es.client, es.alias);
    const seen: string[] = [];
    let page = await search.search(parseImageSearch({ q: 'linen', color: 'red', size: '100', facets: 'none' }));
    for (;;) {
      seen.push(...page.images.map((i) => i.imageId));
      if (page.nextCursor === null) break;
      page = await search.search(parseImageSearch({ q: 'linen', color: 'red', size: '100', facets: 'none', cursor: page.nextCursor }));
    }
    expect(page.total).toBe(LIVE / 12);
    expect(new Set(seen).size).toBe(LIVE / 12);
  });
});
