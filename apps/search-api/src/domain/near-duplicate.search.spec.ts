import pino from 'pino';
import { DependencyUnavailableError } from '@stylestream/errors';
import type { NearDuplicateCandidate, NearDuplicateCandidateSource } from '@stylestream/catalog';
import type { ImageHashes, NearDuplicateThresholds } from '@stylestream/near-duplicate';
import { FakeCatalog } from '../../test/fake-catalog';
import { FakeShardOwners } from '../../test/fake-shard-owners';
import { NearDuplicateSearch } from './near-duplicate.search';
import { OwnerDirectory } from './owner-directory';
import { SearchCursorCodec } from './search-cursor.codec';
import { noSearchMetrics } from './search.metrics';
import type { VectorQuery } from './search-query';
import { VectorSearchService } from './vector-search.service';

const tiered: NearDuplicateThresholds = { rule: 'tiered', maxHammingDistance: 2, minCosine: 1, minCosineWithPhash: 0.5, maxFineDistance: 20 };
const fine = (flips: number) => `${'f'.repeat(flips / 4)}${'0'.repeat(64 - flips / 4)}`;
const QUERY_HASHES: ImageHashes = { perceptualHash: '0000000000000000', cropHashes: [], fineHashes: [fine(0)] };
const id = (i: number) => `img-${String(i).padStart(2, '0')}`;

/** Records its calls; answers the given candidates (each with its fine distance to QUERY_HASHES), or fails when down. */
class FakeBandSource implements NearDuplicateCandidateSource {
  down = false;
  calls = 0;
  constructor(private readonly candidates: Record<string, number>) {}

  nearDuplicateCandidates(): Promise<NearDuplicateCandidate[]> {
    this.calls += 1;
    if (this.down) return Promise.reject(new DependencyUnavailableError('elasticsearch', 'connect ECONNREFUSED'));
    return Promise.resolve(Object.entries(this.candidates).map(([imageId, flips]) => ({
      imageId,
      hashes: { perceptualHash: '0000000000000000', fineHashes: [fine(flips)] },
      facts: { imageId, uri: `https://cdn.example/${imageId}.jpg`, source: null, bloggerId: null, publishedAt: null, labels: {}, dedupeStatus: 'UNIQUE' as const, duplicateOf: null },
    })));
  }
}

/** 40 points on the unit circle at 1° steps (img-00 nearest to [1, 0]); candidates come from `bands`. */
function setup(bands: Record<string, number>) {
  const owners = new FakeShardOwners();
  const catalog = new FakeCatalog();
  const points: Record<string, number[]> = {};
  for (let i = 0; i < 40; i++) {
    points[id(i)] = [Math.cos((i * Math.PI) / 180), Math.sin((i * Math.PI) / 180)];
    catalog.put(id(i));
  }
  owners.add('http://a', points);
  const directory = new OwnerDirectory(['http://a'], owners, { refreshMs: 60_000, timeoutMs: 100, logger: pino({ level: 'silent' }) });
  const cursors = new SearchCursorCodec('test-secret-16-chars');
  const ranking = new VectorSearchService({
    client: owners,
    directory,
    catalog,
    cursors,
    metrics: noSearchMetrics,
    options: { owners: ['http://a'], deadlineMs: 50, catalogTimeoutMs: 200, postFilterRounds: 2, strategy: { candidateMax: 5, hitCost: 1_000, overFetch: 1.5, minFetch: 2, maxDepth: 30 } },
  });
  const source = new FakeBandSource(bands);
  const search = new NearDuplicateSearch({ ranking, source, cursors, options: { thresholds: tiered, maxCandidates: 50, catalogTimeoutMs: 200 } });
  return { owners, ranking, source, search, cursors };
}

const query = (over: Partial<VectorQuery> = {}): VectorQuery => ({ vector: [1, 0], k: 5, filter: { labels: {} }, excludeIds: [], offset: 0, ...over });

describe('NearDuplicateSearch', () => {
  it('puts a hash-close, cosine-confirmed image first even when the vector ranks it 31st, scoring it at the owners', async () => {
    const { search, owners } = setup({ [id(30)]: 8, [id(2)]: 60 });
    const result = await search.search(query(), QUERY_HASHES);
    expect(result.hits.map((h) => h.id)).toEqual([id(30), id(0), id(1), id(2), id(3)]);
    expect(result.hits[0]).toMatchObject({ nearDuplicate: { hashDistance: 8, hashBits: 256 }, facts: { uri: `https://cdn.example/${id(30)}.jpg` } });
    expect(result.hits[0]?.score).toBeCloseTo(Math.cos(Math.PI / 6), 6);
    expect(result.hits[1]?.nearDuplicate).toBeUndefined();
    expect(result.nearDuplicates).toEqual({ status: 'checked', candidates: 2, promoted: 1 });
    expect(owners.requests.some((r) => r.request.filterIds?.join() === id(30))).toBe(true);
  });

  it('the next page continues the vector ranking with the pushed-off hit and never repeats the promoted one', async () => {
    const { search, ranking, cursors } = setup({ [id(2)]: 4 });
    const first = await search.search(query({ k: 3 }), QUERY_HASHES);
    expect(first.hits.map((h) => h.id)).toEqual([id(2), id(0), id(1)]);
    const next = cursors.decode(first.nextCursor ?? '');
    const second = await search.search(next, QUERY_HASHES);
    expect(second.hits.map((h) => h.id)).toEqual([id(3), id(4), id(5)]);
    expect(second.nearDuplicates?.status).toBe('skipped');
    expect((await ranking.search(next)).hits.map((h) => h.id)).toEqual([id(3), id(4), id(5)]);
  });

  it('a page made only of promoted hits pages on from the top of the vector ranking', async () => {
    const { search, cursors } = setup({ [id(7)]: 0 });
    const first = await search.search(query({ k: 1 }), QUERY_HASHES);
    expect(first.hits.map((h) => h.id)).toEqual([id(7)]);
    const second = await search.search(cursors.decode(first.nextCursor ?? ''), QUERY_HASHES);
    expect(second.hits.map((h) => h.id)).toEqual([id(0)]);
  });

  it('does not promote candidates over the fine distance, below the cosine floor, or excluded', async () => {
    const far = await setup({ [id(12)]: 24 }).search.search(query(), QUERY_HASHES);
    expect(far.hits.map((h) => h.id)).toEqual([0, 1, 2, 3, 4].map(id));
    expect(far.nearDuplicates).toMatchObject({ status: 'checked', candidates: 1, promoted: 0 });
    const { search } = setup({ [id(20)]: 0 });
    expect((await search.search(query(), QUERY_HASHES)).hits[0]?.id).toBe(id(20));
    const excluded = await search.search(query({ excludeIds: [id(20)] }), QUERY_HASHES);
    expect(excluded.hits.some((h) => h.id === id(20))).toBe(false);
    const orthogonal = await search.search(query({ vector: [0, -1] }), QUERY_HASHES);
    expect(orthogonal.hits.some((h) => h.nearDuplicate !== undefined)).toBe(false);
  });

  it('answers with the vector ranking and says so when the catalogue is down', async () => {
    const { search, source } = setup({ [id(30)]: 0 });
    source.down = true;
    const result = await search.search(query(), QUERY_HASHES);
    expect(result.hits.map((h) => h.id)).toEqual([0, 1, 2, 3, 4].map(id));
    expect(result.nearDuplicates).toMatchObject({ status: 'unavailable', promoted: 0 });
    expect(result.nearDuplicates?.reason).toContain('ECONNREFUSED');
  });

  it('skips the lookup without query hashes', async () => {
    const { search, source } = setup({ [id(30)]: 0 });
    const result = await search.search(query(), undefined);
    expect(result.hits[0]?.id).toBe(id(0));
    expect(result.nearDuplicates?.status).toBe('skipped');
    expect(source.calls).toBe(0);
  });
});
