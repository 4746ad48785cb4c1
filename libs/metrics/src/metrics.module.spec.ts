import { Controller, Get, Module, NotFoundException, Param, UseGuards } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import type { App } from 'supertest/types';
import { httpRequestDuration } from './http-metrics.middleware';
import { MetricsModule } from './metrics.module';

@Controller('v1/things')
class ThingsController {
  @Get(':id')
  get(@Param('id') id: string): { id: string } {
    if (id === 'missing') throw new NotFoundException('no such thing');
    return { id };
  }

  @Get()
  @UseGuards({ canActivate: () => false })
  list(): string[] {
    return [];
  }
}

@Module({ imports: [MetricsModule], controllers: [ThingsController] })
class TestModule {}

async function count(labels: { method: string; route: string; status_code: string }): Promise<number> {
  const metric = await httpRequestDuration.get();
  const match = metric.values.find(
    (v) => v.metricName === 'stylestream_http_request_duration_seconds_count' && v.labels.method === labels.method && v.labels.route === labels.route && v.labels.status_code === labels.status_code,
  );
  return match?.value ?? 0;
}

describe('MetricsModule', () => {
  let app: INestApplication<App>;
  beforeAll(async () => {
    app = await NestFactory.create(TestModule, { logger: false });
    await app.init();
  });
  afterAll(() => app.close());
  beforeEach(() => httpRequestDuration.reset());

  it('serves the registry at /metrics', async () => {
    const res = await request(app.getHttpServer()).get('/metrics').expect(200);
    expect(res.headers['content-type']).toContain('text/plain');
    expect(res.text).toContain('# TYPE stylestream_http_request_duration_seconds histogram');
  });

  it('times requests by route template and status, guard and 404 answers included', async () => {
    const http = app.getHttpServer();
    await request(http).get('/v1/things/a1').expect(200);
    await request(http).get('/v1/things/b2').expect(200);
    await request(http).get('/v1/things/missing').expect(404);
    await request(http).get('/v1/things').expect(403);
    await request(http).get('/no/such/path/42').expect(404);
    expect(await count({ method: 'GET', route: '/v1/things/:id', status_code: '200' })).toBe(2);
    expect(await count({ method: 'GET', route: '/v1/things/:id', status_code: '404' })).toBe(1);
    expect(await count({ method: 'GET', route: '/v1/things', status_code: '403' })).toBe(1);
    expect(await count({ method: 'GET', route: 'unmatched', status_code: '404' })).toBe(1);
  });
});
