import type { NestExpressApplication } from '@nestjs/platform-express';
import pino from 'pino';
import request from 'supertest';
import { DependencyUnavailableError } from '@stylestream/errors';
import { AnalyticsQueryService } from '../query/analytics-query.service';
import type { SqlRunner } from '../query/sql-runner';
import type { SqlQuery } from '../query/stats-queries';
import { createAnalyticsHttpApp } from './analytics-http.app';

/** The HTTP layer over a fake SqlRunner: parameter errors, store outages, the dashboard files. */
class FakeSql implements SqlRunner {
  readonly seen: SqlQuery[] = [];
  down = false;

  rows<T>(q: SqlQuery): Promise<T[]> {
    this.seen.push(q);
    if (this.down) return Promise.reject(new DependencyUnavailableError('clickhouse', 'stats query failed'));
    return Promise.resolve([{ images: 0, previous_images: 0, bloggers: 0, labels: 0, counts: {}, previous_counts: {}, by_value: {}, by_source: {}, by_quarter: {} }] as T[]);
  }
}

describe('analytics HTTP app', () => {
  const sql = new FakeSql();
  let app: NestExpressApplication;

  beforeAll(async () => {
    app = await createAnalyticsHttpApp(new AnalyticsQueryService(sql), pino({ level: 'silent' }));
    await app.init();
  });
  afterAll(() => app.close());
  beforeEach(() => {
    sql.seen.length = 0;
    sql.down = false;
  });

  const reasonOf = (res: request.Response): string => (res.body as { reason: string }).reason;

  it('unknown label dimension -> 400 naming it, in a query string, a condition and a body; nothing queried', async () => {
    const server = app.getHttpServer();
    const trend = await request(server).get('/v1/stats/trends').query({ quarter: '2025Q2', dimension: 'mood' }).expect(400);
    expect(trend.body).toMatchObject({ error: 'invalid_parameter' });
    expect(reasonOf(trend)).toMatch(/^dimension: must be one of category, .*color/);
    expect(reasonOf(await request(server).get('/v1/stats/trends').query({ quarter: '2025Q2', dimension: 'color', where: 'mood:happy' }).expect(400))).toMatch(/^where \(where\.0\.dimension\)/);
    expect(reasonOf(await request(server).get('/v1/stats/rising').query({ quarter: '2025Q2', dimension: 'mood' }).expect(400))).toMatch(/^dimension:/);
    const followed = await request(server).post('/v1/stats/followed-bloggers').send({ bloggerIds: ['b1'], dimension: 'color', where: [{ dimension: 'mood', value: 'x' }] }).expect(400);
    expect(reasonOf(followed)).toMatch(/^where \(where\.0\.dimension\)/);
    expect(sql.seen).toEqual([]);
  });

  it('more than 2,000 bloggers -> 400 naming bloggerIds; exactly 2,000 is answered', async () => {
    const server = app.getHttpServer();
    const ids = (n: number): string[] => Array.from({ length: n }, (_, i) => `b${i}`);
    const tooMany = await request(server).post('/v1/stats/followed-bloggers').send({ bloggerIds: ids(2001), dimension: 'color' }).expect(400);
    expect(reasonOf(tooMany)).toBe('bloggerIds: at most 2000 blogger ids');
    await request(server).post('/v1/stats/followed-bloggers').send({ bloggerIds: ids(2000), dimension: 'color' }).expect(200);
    expect(sql.seen).toHaveLength(1);
    expect(sql.seen[0].params.bloggers).toHaveLength(2000);
  });

  it('malformed quarter -> 400 naming quarter (query string and body)', async () => {
    const server = app.getHttpServer();
    for (const quarter of ['2025Q5', '2025-Q1', '25Q1', '']) {
      expect(reasonOf(await request(server).get('/v1/stats/trends').query({ quarter, dimension: 'color' }).expect(400))).toMatch(/^quarter: must be a quarter like 2025Q3/);
    }
    const body = await request(server).post('/v1/stats/followed-bloggers').send({ bloggerIds: ['b1'], dimension: 'color', quarters: ['2025Q1', 'spring'] }).expect(400);
    expect(reasonOf(body)).toMatch(/^quarters \(quarters\.1\): must be a quarter/);
  });

  it('ClickHouse down -> 503 with Retry-After', async () => {
    sql.down = true;
    const res = await request(app.getHttpServer()).get('/v1/stats/trends').query({ quarter: '2025Q2', dimension: 'color' }).expect(503);
    expect(res.headers['retry-after']).toBe('1');
    expect(res.body).toMatchObject({ error: 'unavailable', retriable: true });
  });

  it('serves the dashboard page and the chart library from this process', async () => {
    const page = await request(app.getHttpServer()).get('/dashboard').expect(200).expect('content-type', /text\/html/);
    expect(page.text).toContain('<script src="/dashboard/assets/chart.umd.min.js"></script>');
    const chart = await request(app.getHttpServer()).get('/dashboard/assets/chart.umd.min.js').expect(200).expect('content-type', /javascript/);
    expect(chart.text.length).toBeGreaterThan(100_000);
    await request(app.getHttpServer()).get('/dashboard/assets/other.js').expect(404);
  });
});
