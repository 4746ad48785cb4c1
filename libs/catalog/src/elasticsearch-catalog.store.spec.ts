import { errors, type Client } from '@elastic/elasticsearch';
import { DependencyUnavailableError, InvalidInputError } from '@stylestream/errors';
import { sampleImageArrived } from '@stylestream/schemas';
import { mergeImageArrived } from './catalog-merge';
import type { CatalogWrite } from './catalog-write';
import { ElasticsearchCatalogStore } from './elasticsearch-catalog.store';

type Item = { status: number; error?: { type: string; reason: string } };

/** A fake client: mget answers "not found" (or the scripted doc), bulk answers the scripted item statuses per round. */
function fakeClient(script: { mget?: () => Promise<unknown>; bulk: (ops: unknown[]) => Promise<Item[]> }): { client: Client; bulkOps: unknown[][] } {
  const bulkOps: unknown[][] = [];
  const client = {
    mget: (req: { ids: string[] }) => (script.mget ?? (() => Promise.resolve({ docs: req.ids.map((_id) => ({ _id, _index: 'i', found: false })) })))(),
    bulk: async (req: { operations: unknown[] }) => {
      bulkOps.push(req.operations);
      const items = await script.bulk(req.operations);
      return { errors: items.some((i) => i.status >= 300), took: 1, items: items.map((i) => ({ create: { _index: 'i', _id: 'x', ...i } })) };
    },
  } as unknown as Client;
  return { client, bulkOps };
}

const write = (id: string, offset = 1): CatalogWrite => ({ kind: 'merge', id, merge: mergeImageArrived(id, sampleImageArrived({ imageId: id }), offset) });
const names = { images: 'images', shards: 'shards' };

describe('ElasticsearchCatalogStore with a fake client', () => {
  it.each([
    ['connection refused', new errors.ConnectionError('connect ECONNREFUSED 127.0.0.1:9200')],
    ['timeout (slow cluster)', new errors.TimeoutError('Request timed out')],
    ['429 on the whole request', new errors.ResponseError({ body: { error: { type: 'es_rejected_execution_exception' } }, statusCode: 429, headers: {}, warnings: null, meta: {} as never })],
    ['503 on the whole request', new errors.ResponseError({ body: {}, statusCode: 503, headers: {}, warnings: null, meta: {} as never })],
  ])('turns %s into DependencyUnavailableError (the partition pauses, nothing is dropped)', async (_what, failure) => {
    const { client } = fakeClient({ mget: () => Promise.reject(failure), bulk: () => Promise.reject(failure) });
    const rejection = new ElasticsearchCatalogStore(client, names).apply([write('a')]);
    await expect(rejection).rejects.toBeInstanceOf(DependencyUnavailableError);
    await expect(rejection).rejects.toMatchObject({ retriable: true });
  });

  it('maps per-item statuses: 2xx applied, 429/5xx retriable, 400 rejected with its reason', async () => {
    const { client } = fakeClient({
      bulk: () =>
        Promise.resolve([
          { status: 201 },
          { status: 429, error: { type: 'es_rejected_execution_exception', reason: 'queue full' } },
          { status: 400, error: { type: 'document_parsing_exception', reason: 'failed to parse field [publishedAt]' } },
        ]),
    });
    const results = await new ElasticsearchCatalogStore(client, names).apply([write('a'), write('b'), write('c')]);
    expect(results[0]).toEqual({ status: 'applied' });
    expect(results[1]?.status === 'failed' && results[1].error).toBeInstanceOf(DependencyUnavailableError);
    const rejected = results[2]?.status === 'failed' ? results[2].error : undefined;
    expect(rejected).toBeInstanceOf(InvalidInputError);
    expect(rejected?.message).toMatch(/document c: HTTP 400 document_parsing_exception: failed to parse field \[publishedAt\]/);
  });

  it('re-reads and retries a merge that lost a race (409), and counts an external-version 409 as already applied', async () => {
    let round = 0;
    const { client, bulkOps } = fakeClient({ bulk: () => Promise.resolve(round++ === 0 ? [{ status: 409 }, { status: 409 }] : [{ status: 200 }]) });
    const shard: CatalogWrite = { kind: 'versioned', id: 's1', version: 5, doc: { shardId: 's1', snapshotVersion: 1, vectorCount: 0, sealed: false, at: 0, partitions: [], ops: { added: 0, replaced: 0, deleted: 0, skipped: 0 } } };
    const results = await new ElasticsearchCatalogStore(client, names).apply([write('a'), shard]);
    expect(results).toEqual([{ status: 'applied' }, { status: 'unchanged', reason: 'already applied: external version conflict' }]);
    expect(bulkOps).toHaveLength(2);
    expect(bulkOps[0]?.[2]).toEqual({ index: { _index: 'shards', _id: 's1', version: 5, version_type: 'external' } });
  });

  it('puts at most one write per document in a round, so writes of one image apply in order', async () => {
    const { client, bulkOps } = fakeClient({ bulk: (ops) => Promise.resolve(ops.filter((_, i) => i % 2 === 0).map(() => ({ status: 201 }))) });
    await new ElasticsearchCatalogStore(client, names).apply([write('a', 1), write('b', 1), write('a', 2)]);
    expect(bulkOps.map((ops) => ops.filter((_, i) => i % 2 === 0).map((op) => (Object.values(op as object)[0] as { _id: string })._id))).toEqual([['a', 'b'], ['a']]);
  });
});
