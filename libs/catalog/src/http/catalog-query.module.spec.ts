import { Controller, Get, Inject, Module, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import pino from 'pino';
import request from 'supertest';
import type { App } from 'supertest/types';
import { HttpErrorFilter } from '@stylestream/http';
import type { CatalogCandidateSource } from '../catalog-candidates.port';
import type { CatalogImageSearch } from '../catalog-image.search';
import type { ImageSearch } from '../image-search.query';
import { CATALOG_CANDIDATE_SOURCE, CatalogQueryModule } from './catalog-query.module';

const fakeCandidates: CatalogCandidateSource = {
  countMatching: () => Promise.resolve(42),
  candidateIds: () => Promise.resolve({ ids: ['a'], total: 1, truncated: false }),
  factsByIds: () => Promise.resolve(new Map()),
};

/** A stand-in for another app (the search API) that mounts the catalogue query module and uses its candidate source. */
@Controller('v1/search')
class HostController {
  constructor(@Inject(CATALOG_CANDIDATE_SOURCE) private readonly candidates: CatalogCandidateSource) {}
  @Get('count')
  async count(): Promise<{ count: number }> {
    return { count: await this.candidates.countMatching({ labels: {} }) };
  }
}

describe('CatalogQueryModule mounted in another app (adapters faked)', () => {
  let app: INestApplication;
  const seen: ImageSearch[] = [];
  const search = { search: (s: ImageSearch) => (seen.push(s), Promise.resolve({ total: 0, from: 0, size: s.size, images: [], facets: {}, nextCursor: null })) };

  beforeAll(async () => {
    @Module({ imports: [CatalogQueryModule.register({ search: search as unknown as CatalogImageSearch, candidateSource: fakeCandidates })], controllers: [HostController] })
    class HostModule {}
    app = await NestFactory.create(HostModule, { logger: false });
    app.useGlobalFilters(new HttpErrorFilter(pino({ level: 'silent' })));
    await app.init();
  });
  afterAll(() => app.close());

  it('serves GET /v1/images and hands the host the candidate source', async () => {
    const http = app.getHttpServer() as App;
    await request(http).get('/v1/images?color=red&excludeDuplicates=true&facets=none').expect(200);
    expect(seen.at(-1)).toMatchObject({ filter: { labels: { color: ['red'] }, excludeDuplicates: true }, facets: [] });
    expect((await request(http).get('/v1/search/count').expect(200)).body).toEqual({ count: 42 });
    const bad = await request(http).get('/v1/images?cursor=nope').expect(400);
    expect(bad.body).toMatchObject({ error: 'invalid_query_parameter', reason: expect.stringMatching(/"cursor"/) as unknown });
  });
});
