import pino from 'pino';
import { DependencyUnavailableError } from '@stylestream/errors';
import { FakeCatalog } from '../../test/fake-catalog';
import { FakeShardOwners } from '../../test/fake-shard-owners';
import { OwnerDirectory } from './owner-directory';
import { OwnerRejectedError } from './owner-rejected.error';
import { SearchCursorCodec } from './search-cursor.codec';
import { noSearchMetrics } from './search.metrics';
import type { VectorQuery } from './search-query';
import { VectorSearchService } from './vector-search.service';

const OWNERS = ['http://a', 'http://b'];

/** 40 points on the unit circle, spread over two owners; img-i at angle i°, so the ranking for [1,0] is img-0, img-1, ... */
function setup(candidateMax = 5, hitCost = 1_000) {
  const owners = new FakeShardOwners();
  const catalog = new FakeCatalog();
  const points: Record<string, Record<string, number[]>> = { 'http://a': {}, 'http://b': {} };
  for (let i = 0; i < 40; i++) {
    const rad = (i * Math.PI) / 180;
    (points[OWNERS[i % 2]])[`img-${String(i).padStart(2, '0')}`] = [Math.cos(rad), Math.sin(rad)];
    catalog.put(`img-${String(i).padStart(2, '0')}`, { labels: { color: [i % 10 === 0 ? 'red' : 'blue'] }, dedupeStatus: i % 3 === 0 ? 'NEAR_DUPLICATE' : 'UNIQUE' });
  }
  owners.add('http://a', points['http://a'] ?? {}).add('http://b', points['http://b'] ?? {});
  const directory = new OwnerDirectory(OWNERS, owners, { refreshMs: 60_000, timeoutMs: 100, logger: pino({ level: 'silent' }) });
  const cursors = new SearchCursorCodec('test-secret-16-chars');
  const service = new VectorSearchService({
    client: owners,
    directory,
    catalog,
    cursors,
    metrics: noSearchMetrics,
    options: { owners: OWNERS, deadlineMs: 50, catalogTimeoutMs: 200, postFilterRounds: 3, strategy: { candidateMax, hitCost, overFetch: 1.5, minFetch: 2, maxDepth: 30 } },
  });
  return { owners, catalog, directory, cursors, service };
}

const query = (over: Partial<VectorQuery> = {}): VectorQuery => ({ vector: [1, 0], k: 5, filter: { labels: {} }, excludeIds: [], offset: 0, ...over });
const ids = (n: number, from = 0) => Array.from({ length: n }, (_, i) => `img-${String(from + i).padStart(2, '0')}`);

describe('VectorSearchService', () => {
  it('merges the top k over every owner, with facts and full coverage', async () => {
    const { service, directory } = setup();
    await directory.refresh();
    const result = await service.search(query());
    expect(result.hits.map((h) => h.id)).toEqual(ids(5));
    expect(result.hits[0]?.facts?.uri).toBe('https://cdn.example/img-00.jpg');
    expect(result).toMatchObject({ partial: false, coverage: { shards: 2, answered: 2, timedOut: 0 }, strategy: { name: 'unfiltered' } });
  });

  it('pages with cursors: disjoint pages that concatenate to the exact ranking, none past the depth limit', async () => {
    const { service, cursors } = setup();
    const seen: string[] = [];
    let result = await service.search(query({ k: 7 }));
    seen.push(...result.hits.map((h) => h.id));
    while (result.nextCursor !== null) {
      result = await service.search(cursors.decode(result.nextCursor));
      seen.push(...result.hits.map((h) => h.id));
    }
    expect(seen).toEqual(ids(30));
    expect(new Set(seen).size).toBe(seen.length);
  });

  it('flags a slow owner as partial, names its shards, and still answers from the other', async () => {
    const { service, owners, directory } = setup();
    await directory.refresh();
    owners.mode('http://b', 'hang');
    const result = await service.search(query());
    expect(result.partial).toBe(true);
    expect(result.hits.map((h) => h.id)).toEqual(['img-00', 'img-02', 'img-04', 'img-06', 'img-08']);
    expect(result.coverage).toMatchObject({ shards: 2, answered: 1, timedOut: 1, missing: [{ owner: 'http://b', shards: ['http://b-s0'], reason: 'deadline' }] });
  });

  it('is unavailable when no owner answers, and 404s when every owner lacks the model version', async () => {
    const { service, owners } = setup();
    owners.mode('http://a', 'down');
    owners.mode('http://b', 'hang');
    await expect(service.search(query())).rejects.toBeInstanceOf(DependencyUnavailableError);
    owners.mode('http://a', 'reject404');
    owners.mode('http://b', 'reject404');
    await expect(service.search(query({ modelVersion: '9.9.9' }))).rejects.toBeInstanceOf(OwnerRejectedError);
  });

  it('sends the ids of a selective filter to the owners, which score them exactly', async () => {
    const { service, owners } = setup(5);
    const result = await service.search(query({ filter: { labels: { color: ['red'] } } }));
    expect(result.strategy).toMatchObject({ name: 'candidates', matching: 4 });
    expect(result.hits.map((h) => h.id)).toEqual(['img-00', 'img-10', 'img-20', 'img-30']);
    expect(owners.requests.at(-1)?.request.filterIds).toEqual(expect.arrayContaining(['img-00', 'img-10', 'img-20', 'img-30']));
  });

  it('post-filters a broad filter on the facts of over-fetched hits, going deeper until k match', async () => {
    const { service, owners, directory } = setup(2);
    await directory.refresh();
    const result = await service.search(query({ k: 4, filter: { labels: { color: ['red'] } } }));
    expect(result.strategy).toMatchObject({ name: 'post-filter', matching: 4 });
    expect(result.hits.map((h) => h.id)).toEqual(['img-00', 'img-10', 'img-20', 'img-30']);
    expect(owners.requests.every((r) => r.request.filterIds === undefined)).toBe(true);
    const dupes = await service.search(query({ k: 3, filter: { labels: {}, excludeDuplicates: true } }));
    expect(dupes.hits.map((h) => h.id)).toEqual(['img-01', 'img-02', 'img-04']);
  });

  it('post-filters a filter within the candidate limit when over-fetching is the cheaper work, except a text filter', async () => {
    const { service, owners, directory } = setup(100, 0.1);
    await directory.refresh();
    const labelled = await service.search(query({ k: 2, filter: { labels: { color: ['blue'] } } }));
    expect(labelled.strategy).toMatchObject({ name: 'post-filter', matching: 36 });
    expect(labelled.hits.map((h) => h.id)).toEqual(['img-01', 'img-02']);
    expect(owners.requests.every((r) => r.request.filterIds === undefined)).toBe(true);
    const text = await service.search(query({ k: 2, filter: { labels: {}, text: 'coat' } }));
    expect(text.strategy).toMatchObject({ name: 'candidates' });
  });

  it('answers without facts (flagged) when the catalogue is down and no filter needs it; 503 when one does', async () => {
    const { service, catalog } = setup();
    catalog.down = true;
    const result = await service.search(query({ k: 2 }));
    expect(result.hits).toEqual([{ id: 'img-00', score: 1 }, expect.objectContaining({ id: 'img-01' })]);
    expect(result.factsUnavailable).toMatch(/down/);
    await expect(service.search(query({ filter: { labels: { color: ['red'] } } }))).rejects.toBeInstanceOf(DependencyUnavailableError);
  });

  it('leaves excluded ids out and keeps hits missing from the catalogue without facts', async () => {
    const { service, catalog } = setup();
    catalog.facts.delete('img-01');
    const result = await service.search(query({ k: 2, excludeIds: ['img-00'] }));
    expect(result.hits.map((h) => [h.id, h.facts === undefined])).toEqual([['img-01', true], ['img-02', false]]);
  });
});
