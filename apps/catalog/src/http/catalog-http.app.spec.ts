import type { INestApplication } from '@nestjs/common';
import pino from 'pino';
import request from 'supertest';
import type { App } from 'supertest/types';
import { DependencyUnavailableError } from '@stylestream/errors';
import { type CatalogCandidateSource, CatalogImageSearch, type ImageSearch } from '@stylestream/catalog';
import { createCatalogHttpApp } from './catalog-http.app';

class FakeSearch {
  readonly seen: ImageSearch[] = [];
  down = false;
  search(search: ImageSearch) {
    this.seen.push(search);
    if (this.down) return Promise.reject(new DependencyUnavailableError('elasticsearch', 'connection refused'));
    return Promise.resolve({ total: 0, from: search.from, size: search.size, images: [], facets: {}, nextCursor: null });
  }
}

describe('catalogue HTTP app (search faked)', () => {
  let app: INestApplication;
  let http: App;
  const search = new FakeSearch();

  beforeAll(async () => {
    app = await createCatalogHttpApp({ query: { search: search as unknown as CatalogImageSearch, candidateSource: {} as CatalogCandidateSource }, logger: pino({ level: 'silent' }) });
    await app.init();
    http = app.getHttpServer() as App;
  });
  afterAll(() => app.close());

  it('passes validated filters to the search', async () => {
    await request(http).get('/v1/images?color=red&color=blue&source=social&size=5').expect(200);
    expect(search.seen.at(-1)).toMatchObject({ filter: { labels: { color: ['red', 'blue'] }, source: ['social'] }, size: 5 });
  });

  it('answers 400 naming the bad parameter', async () => {
    const res = await request(http).get('/v1/images?size=1000').expect(400);
    expect(res.body).toEqual({ error: 'invalid_query_parameter', reason: expect.stringMatching(/"size"/) as unknown });
  });

  it('answers 503 when Elasticsearch is down', async () => {
    search.down = true;
    await request(http).get('/v1/images').expect(503);
    search.down = false;
  });

  it('documents GET /v1/images with its parameters at /docs-json', async () => {
    const res = await request(http).get('/docs-json').expect(200);
    const params = (res.body as { paths: Record<string, { get: { parameters: { name: string }[] } }> }).paths['/v1/images']?.get.parameters.map((p) => p.name);
    expect(params).toEqual(expect.arrayContaining(['category', 'color', 'source', 'bloggerId', 'publishedFrom', 'q', 'size', 'from', 'cursor', 'excludeDuplicates', 'facets']));
  });
});
