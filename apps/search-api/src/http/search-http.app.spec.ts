import type { INestApplication } from '@nestjs/common';
import pino from 'pino';
import request from 'supertest';
import type { App } from 'supertest/types';
import { InvalidInputError } from '@stylestream/errors';
import { FakeCatalog } from '../../test/fake-catalog';
import { FakeShardOwners } from '../../test/fake-shard-owners';
import { OwnerDirectory } from '../domain/owner-directory';
import type { QueryEmbedder } from '../domain/query-embedder.port';
import { SearchCursorCodec } from '../domain/search-cursor.codec';
import { noSearchMetrics } from '../domain/search.metrics';
import { VectorSearchService } from '../domain/vector-search.service';
import { createSearchHttpApp } from './search-http.app';
import { SearchRequests } from './search-requests';

const KEY = 'search-key-0123';
const logger = pino({ level: 'silent' });
const PNG = Buffer.from('89504e470d0a1a0a', 'hex');

/** Embeds by the first byte after the PNG signature: [cos, sin] of it in degrees; anything else is not an image. */
class FakeEmbedder implements QueryEmbedder {
  readonly modelVersion = '1.0.0';
  readonly dim = 2;
  embed(bytes: Buffer) {
    if (!bytes.subarray(0, 8).equals(PNG)) return Promise.reject(new InvalidInputError('not a supported image: unknown format', 'IMAGE_FORMAT_UNSUPPORTED'));
    const rad = ((bytes[8] ?? 0) * Math.PI) / 180;
    return Promise.resolve({ vector: [Math.cos(rad), Math.sin(rad)], modelVersion: this.modelVersion });
  }
  close() {
    return Promise.resolve();
  }
}

describe('search HTTP app (owners, catalogue and model faked)', () => {
  let app: INestApplication;
  let http: App;
  /** What the readiness probe (e.g. a local shard owner loading its partitions) says. */
  let ownerLoaded = false;

  beforeAll(async () => {
    const owners = new FakeShardOwners();
    const catalog = new FakeCatalog();
    const points: Record<string, number[]> = {};
    for (let i = 0; i < 20; i++) {
      const rad = (i * 5 * Math.PI) / 180;
      points[`img-${i}`] = [Math.cos(rad), Math.sin(rad)];
      catalog.put(`img-${i}`, { labels: { color: [i % 2 === 0 ? 'red' : 'blue'] } });
    }
    owners.add('http://a', points);
    const directory = new OwnerDirectory(['http://a'], owners, { refreshMs: 60_000, timeoutMs: 100, logger });
    const cursors = new SearchCursorCodec('http-test-secret-16');
    const options = { owners: ['http://a'], deadlineMs: 100, catalogTimeoutMs: 200, postFilterRounds: 2, strategy: { candidateMax: 100, hitCost: 1_000, overFetch: 2, minFetch: 10, maxDepth: 1_000 } };
    const search = new VectorSearchService({ client: owners, directory, catalog, cursors, metrics: noSearchMetrics, options });
    const requests = new SearchRequests({
      search,
      cursors,
      client: owners,
      owners: ['http://a'],
      deadlineMs: 100,
      limits: { dim: 2, defaultK: 3, maxK: 100, maxEf: 500 },
      embedder: new FakeEmbedder(),
      fetcher: { fetch: () => Promise.resolve(Buffer.concat([PNG, Buffer.from([10])])) },
      urlSchemes: ['http', 'https'],
    });
    app = await createSearchHttpApp({ requests, directory, apiKeys: [KEY], rateLimit: { perSecond: 1, burst: 40 }, uploads: { maxBytes: 64, contentTypes: ['image/png'], maxJsonBytes: 4096 }, logger, readiness: [{ name: 'local-owner', check: () => Promise.resolve(ownerLoaded ? { ok: true } : { ok: false, reason: 'loading partitions 0, 1' }) }] });
    await app.init();
    http = app.getHttpServer() as App;
  });
  afterAll(() => app.close());

  const post = (path: string) => request(http).post(path).set('x-api-key', KEY);

  it('POST /v1/search/vector answers hits, coverage, partial and a cursor that pages on', async () => {
    const res = await post('/v1/search/vector').send({ vector: [2, 0], k: 2 }).expect(200);
    expect(res.body).toMatchObject({ hits: [{ id: 'img-0', score: 1, uri: 'https://cdn.example/img-0.jpg', labels: { color: ['red'] } }, { id: 'img-1' }], partial: false, coverage: { shards: 1, answered: 1, timedOut: 0 } });
    const next = await post('/v1/search/vector').send({ cursor: (res.body as { nextCursor: string }).nextCursor }).expect(200);
    expect((next.body as { hits: { id: string }[] }).hits.map((h) => h.id)).toEqual(['img-2', 'img-3']);
  });

  it('GET /readyz is 503 naming the probe that fails (a local owner still loading), 200 once it passes', async () => {
    const loading = await request(http).get('/readyz').expect(503);
    expect(loading.body).toEqual({ status: 'not-ready', checks: [{ name: 'local-owner', ok: false, reason: 'loading partitions 0, 1' }] });
    ownerLoaded = true;
    expect((await request(http).get('/readyz').expect(200)).body).toMatchObject({ status: 'ready' });
  });

  it('answers 400 naming the bad parameter', async () => {
    const cases: [object, string][] = [
      [{ vector: [1, 0], k: 0 }, '"k"'],
      [{ vector: [1, 0], k: 101 }, '"k"'],
      [{ vector: [1, 0, 0] }, '"vector"'],
      [{ vector: [0, 0] }, '"vector"'],
      [{ vector: [1, 0], ef: 'x' }, '"ef"'],
      [{ vector: [1, 0], filter: { labels: { colour: ['red'] } } }, 'filter.labels.colour'],
      [{ vector: [1, 0], excludeDuplicates: 'maybe' }, '"excludeDuplicates"'],
      [{ cursor: 'forged.cursor' }, '"cursor"'],
      [{ cursor: 'x', k: 3 }, '"k"'],
    ];
    for (const [body, named] of cases) {
      const res = await post('/v1/search/vector').send(body).expect(400);
      expect((res.body as { reason: string }).reason).toContain(named);
    }
    const similar = await request(http).get('/v1/images/img-0/similar?k=abc').set('x-api-key', KEY).expect(400);
    expect((similar.body as { reason: string }).reason).toContain('"k"');
    const unknown = await request(http).get('/v1/images/img-0/similar?colour=red').set('x-api-key', KEY).expect(400);
    expect((unknown.body as { reason: string }).reason).toContain('"colour"');
  });

  it('GET /v1/images/{id}/similar searches from the stored vector, leaving the image out, with filters', async () => {
    const res = await request(http).get('/v1/images/img-4/similar?k=2&color=red').set('x-api-key', KEY).expect(200);
    expect((res.body as { hits: { id: string }[] }).hits.map((h) => h.id).sort()).toEqual(['img-2', 'img-6']); // equidistant: order by float rounding
    await request(http).get('/v1/images/img-404/similar').set('x-api-key', KEY).expect(404);
  });

  it('POST /v1/search/image embeds an upload or a url; enforces bytes, content type, format', async () => {
    const upload = await post('/v1/search/image').field('k', '1').attach('image', Buffer.concat([PNG, Buffer.from([15])]), { filename: 'q.png', contentType: 'image/png' }).expect(200);
    expect((upload.body as { hits: { id: string }[] }).hits.map((h) => h.id)).toEqual(['img-3']);
    const byUrl = await post('/v1/search/image').send({ url: 'https://img.example/q.png', k: 1 }).expect(200);
    expect((byUrl.body as { hits: { id: string }[] }).hits.map((h) => h.id)).toEqual(['img-2']);
    const big = await post('/v1/search/image').attach('image', Buffer.alloc(100, 1), { filename: 'q.png', contentType: 'image/png' }).expect(413);
    expect((big.body as { reason: string }).reason).toContain('SEARCH_UPLOAD_MAX_BYTES');
    const type = await post('/v1/search/image').attach('image', PNG, { filename: 'q.gif', contentType: 'image/gif' }).expect(415);
    expect((type.body as { reason: string }).reason).toContain('image/gif');
    await post('/v1/search/image').attach('image', Buffer.from('not an image'), { filename: 'q.png', contentType: 'image/png' }).expect(415);
    const file = await post('/v1/search/image').send({ url: 'file:///etc/passwd' }).expect(400);
    expect((file.body as { reason: string }).reason).toContain('"url"');
    await post('/v1/search/image').send({ k: 1 }).expect(400);
    await request(http).post('/v1/search/vector').set('x-api-key', KEY).set('content-type', 'text/plain').send('hi').expect(415);
  });

  it('401 without a valid key, 429 over the rate; docs and health open', async () => {
    expect((await request(http).post('/v1/search/vector').send({ vector: [1, 0] }).expect(401)).body).toEqual({ error: 'unauthorized', reason: 'missing x-api-key header' });
    await request(http).post('/v1/search/vector').set('x-api-key', 'wrong-key-000').send({ vector: [1, 0] }).expect(401);
    await request(http).get('/health').expect(200);
    const doc = await request(http).get('/docs-json').expect(200);
    expect(Object.keys((doc.body as { paths: object }).paths)).toEqual(expect.arrayContaining(['/v1/search/vector', '/v1/search/image', '/v1/images/{id}/similar']));
    let limited: request.Response | undefined;
    for (let i = 0; i < 60 && limited === undefined; i++) {
      const res = await post('/v1/search/vector').send({ vector: [1, 0] });
      if (res.status === 429) limited = res;
    }
    expect(limited?.headers['retry-after']).toBeDefined();
    expect(limited?.body).toMatchObject({ error: 'rate_limited' });
  });
});
