import { errors, type Client } from '@elastic/elasticsearch';
import { DependencyUnavailableError } from '@stylestream/errors';
import { parseCatalogFilter } from './catalog-filter';
import { ElasticsearchCandidateSource } from './elasticsearch-candidate.source';

type Req = Record<string, unknown>;

/** A fake client over `total` matching ids `id-0..`: count, pages (by PIT or not), PIT open/close; `failPage` rejects the n-th search. */
function fakeClient(total: number, failPage?: { at: number; error: Error }) {
  const calls: { api: string; req: Req }[] = [];
  let searches = 0;
  const client = {
    count: (req: Req) => (calls.push({ api: 'count', req }), Promise.resolve({ count: total })),
    openPointInTime: (req: Req) => (calls.push({ api: 'open', req }), Promise.resolve({ id: 'pit-1' })),
    closePointInTime: (req: Req) => (calls.push({ api: 'close', req }), Promise.resolve({ succeeded: true })),
    search: (req: Req) => {
      calls.push({ api: 'search', req });
      searches++;
      if (failPage !== undefined && searches === failPage.at) return Promise.reject(failPage.error);
      const start = Array.isArray(req.search_after) ? Number(req.search_after[0]) + 1 : 0;
      const size = Number(req.size);
      const hits = Array.from({ length: Math.max(0, Math.min(size, total - start)) }, (_, k) => ({ fields: { imageId: [`id-${start + k}`] }, sort: [start + k] }));
      return Promise.resolve({ ...(req.pit === undefined ? {} : { pit_id: 'pit-2' }), hits: { total: req.track_total_hits === false ? undefined : { value: total }, hits } });
    },
  } as unknown as Client;
  return { client, calls };
}

const all = parseCatalogFilter({});

describe('ElasticsearchCandidateSource with a fake client', () => {
  it('answers a set that fits one page with one search, even under a large limit (count first)', async () => {
    const { client, calls } = fakeClient(30);
    const source = new ElasticsearchCandidateSource(client, 'images', { pageSize: 50 });
    expect(await source.candidateIds(all, 1_000)).toMatchObject({ total: 30, truncated: false });
    expect(calls.map((c) => c.api)).toEqual(['count', 'search']);
    expect(calls[1]?.req).toMatchObject({ index: 'images', _source: false, stored_fields: ['_none_'], docvalue_fields: ['imageId'], sort: ['_doc'] });
  });

  it('pages a larger set over a point in time with search_after, keeps the newest pit id, and closes it', async () => {
    const { client, calls } = fakeClient(120);
    const source = new ElasticsearchCandidateSource(client, 'images', { pageSize: 50 });
    const r = await source.candidateIds(all, 1_000);
    expect(r).toMatchObject({ total: 120, truncated: false });
    expect(r.ids).toEqual(Array.from({ length: 120 }, (_, i) => `id-${i}`));
    expect(calls.map((c) => c.api)).toEqual(['count', 'open', 'search', 'search', 'search', 'close']);
    expect(calls[3]?.req).toMatchObject({ pit: { id: 'pit-2' }, search_after: [49], track_total_hits: false });
    expect(calls[5]?.req).toEqual({ id: 'pit-2' });
  });

  it('stops at the limit and says the set is truncated', async () => {
    const { client } = fakeClient(120);
    const r = await new ElasticsearchCandidateSource(client, 'images', { pageSize: 50 }).candidateIds(all, 70);
    expect(r).toMatchObject({ total: 120, truncated: true });
    expect(r.ids).toHaveLength(70);
  });

  it('closes the point in time when a page fails, and reports the failure as retriable', async () => {
    const { client, calls } = fakeClient(120, { at: 2, error: new errors.ConnectionError('connect ECONNREFUSED 127.0.0.1:9200') });
    const source = new ElasticsearchCandidateSource(client, 'images', { pageSize: 50 });
    await expect(source.candidateIds(all, 1_000)).rejects.toBeInstanceOf(DependencyUnavailableError);
    expect(calls.at(-1)?.api).toBe('close');
  });

  it('reports an overloaded cluster on count as retriable', async () => {
    const client = { count: () => Promise.reject(new errors.ResponseError({ body: {}, statusCode: 429, headers: {}, warnings: null, meta: {} as never })) } as unknown as Client;
    await expect(new ElasticsearchCandidateSource(client, 'images').countMatching(all)).rejects.toMatchObject({ retriable: true });
  });
});
