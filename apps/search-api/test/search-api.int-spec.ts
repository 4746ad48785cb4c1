import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTopics, exactTopRows, seededUnitVectors, stack, uniqueName, waitFor } from '@stylestream/test-support';
import { AppProcess, startSlowOwner, writePartitionSnapshot } from '../../../bench/support/search-cluster';
import { searchApiTestEnv } from './search-api.test-env';

/**
 * Real: an index-writer child process (Kafka, registry; its shards written
 * offline in its snapshot format under a temp dir, unique topics and group)
 * and the search API child process; Elasticsearch (a unique, empty alias, so
 * hits come without facts). Fake: a slow owner (a local HTTP server that
 * answers after 3 s).
 */
const DIM = 8;
const N = 300;
const KEY = 'int-test-key-0001';

const idOf = (row: number) => `img-${row}`;

interface SearchBody {
  hits: { id: string; score: number; uri?: string }[];
  partial: boolean;
  coverage: { shards: number; answered: number; timedOut: number; missing: { owner: string; shards: string[]; reason: string }[] };
  nextCursor: string | null;
}

describe('search API over a real index-writer and a slow owner', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'search-it-'));
  const topic = uniqueName('search-it-vc');
  const updates = uniqueName('search-it-iu');
  const base = seededUnitVectors(7, N, DIM);
  let writer: AppProcess;
  let api: AppProcess;
  let slow: Awaited<ReturnType<typeof startSlowOwner>>;

  const post = async (path: string, body: object): Promise<{ status: number; body: SearchBody }> => {
    const res = await fetch(`${api.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': KEY }, body: JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as SearchBody };
  };
  const vectorOf = (row: number) => Array.from(base.subarray(row * DIM, (row + 1) * DIM));
  const all = Array.from({ length: N }, (_, r) => r);
  const exactTop = (row: number, k: number) => exactTopRows(base, DIM, row, k, all).map(idOf);

  beforeAll(async () => {
    await createTopics([topic, `${topic}.dlq`, updates], 1);
    const params = { dim: DIM, space: 'ip' as const, m: 16, efConstruction: 200, ef: 64, seed: 100 };
    await writePartitionSnapshot({ dataDir, topic, partition: 0, modelVersion: '1.0.0', params, capacity: 10_000, vectors: base, rows: Array.from({ length: N }, (_, r) => r), idOf });
    writer = new AppProcess('index-writer', {
      KAFKA_BROKERS: stack.brokers.join(','),
      SCHEMA_REGISTRY_URL: stack.registryUrl,
      KAFKA_GROUP_ID: uniqueName('search-it-writer'),
      INDEX_DATA_DIR: dataDir,
      INDEX_DIM: String(DIM),
      INDEX_SHARD_CAPACITY: '10000',
      INDEX_TOPIC_VECTOR_CLEANED: topic,
      INDEX_TOPIC_INDEX_UPDATED: updates,
      INDEX_HTTP_PORT: '0',
    }, 'index-writer started');
    await writer.start();
    await waitFor(async () => (await fetch(`${writer.url}/readyz`)).status === 200, { timeoutMs: 60_000, what: 'index-writer ready' });
    slow = await startSlowOwner(3_000);
    api = new AppProcess('search-api', searchApiTestEnv({ apiKey: KEY, owners: [writer.url, slow.url], deadlineMs: 300, dim: DIM }), 'search-api listening');
    await api.start();
  }, 120_000);

  afterAll(async () => {
    await api?.stop();
    await writer?.stop();
    await slow?.close();
    rmSync(dataDir, { recursive: true, force: true });
  }, 60_000);

  it('finds the exact neighbours through the writer, flags the slow owner as partial naming its shard', async () => {
    const res = await post('/v1/search/vector', { vector: vectorOf(5), k: 10 });
    expect(res.status).toBe(200);
    expect(res.body.hits[0]).toMatchObject({ id: 'img-5' });
    expect(res.body.hits[0]?.score).toBeCloseTo(1, 4);
    expect(res.body.hits.map((h) => h.id)).toEqual(exactTop(5, 10));
    expect(res.body.hits[0]?.uri).toBeUndefined();
    expect(res.body.partial).toBe(true);
    expect(res.body.coverage).toMatchObject({ answered: 1, timedOut: 1, missing: [{ owner: slow.url, shards: ['slow-s00000'], reason: 'deadline' }] });
  }, 30_000);

  it('GET similar leaves the image out; cursor pages concatenate to one deep query without repeats', async () => {
    const res = await fetch(`${api.url}/v1/images/img-5/similar?k=5`, { headers: { 'x-api-key': KEY } });
    const similar = (await res.json()) as SearchBody;
    expect(similar.hits.map((h) => h.id)).toEqual(exactTop(5, 6).slice(1));
    const deep = await post('/v1/search/vector', { vector: vectorOf(9), k: 120, ef: 300 });
    const paged: string[] = [];
    let page = await post('/v1/search/vector', { vector: vectorOf(9), k: 40, ef: 300 });
    for (let i = 0; i < 3; i++) {
      paged.push(...page.body.hits.map((h) => h.id));
      if (page.body.nextCursor === null) break;
      page = await post('/v1/search/vector', { cursor: page.body.nextCursor });
    }
    expect(paged).toEqual(deep.body.hits.map((h) => h.id));
  }, 30_000);

  it('a killed writer makes the search unavailable with the reason, never a hang', async () => {
    await writer.kill9();
    const res = await post('/v1/search/vector', { vector: vectorOf(5), k: 10 });
    expect(res.status).toBe(503);
    expect(JSON.stringify(res.body)).toContain('none of 2 owners answered');
  }, 30_000);
});
