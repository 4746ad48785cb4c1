import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { DependencyUnavailableError, InvalidInputError } from '@stylestream/errors';
import { metricsRegistry } from '@stylestream/metrics';
import { HttpErrorFilter } from './http-error.filter';
import { serveFastJsonRoutes } from './fast-json.route';

describe('serveFastJsonRoutes', () => {
  let server: Server;
  let base: string;
  const framework: string[] = [];

  beforeAll(async () => {
    // Stands for Express: answers whatever the fast route does not take.
    server = createServer((req, res) => {
      framework.push(`${req.method} ${req.url}`);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ from: 'framework' }));
    });
    const errors = new HttpErrorFilter(pino({ level: 'silent' }));
    serveFastJsonRoutes(
      server,
      [
        {
          path: '/v1/echo',
          maxBodyBytes: 1_000,
          handle: (body) => {
            const b = body as { fail?: string; n?: number };
            if (b.fail === 'input') throw new InvalidInputError('n: must be a number', 'INVALID_ECHO');
            if (b.fail === 'down') throw new DependencyUnavailableError('shards', 'not loaded');
            if (b.fail === 'bug') throw new Error('boom');
            return Promise.resolve({ echoed: b.n });
          },
          toError: (err) => errors.toResponse(err),
        },
      ],
      pino({ level: 'silent' }),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const post = async (path: string, body: string, type = 'application/json') => {
    const res = await fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': type }, body });
    return { status: res.status, retryAfter: res.headers.get('retry-after'), body: (await res.json()) as Record<string, unknown> };
  };

  it('answers its route itself, query string ignored, and leaves every other request to the framework', async () => {
    framework.length = 0;
    expect(await post('/v1/echo?x=1', JSON.stringify({ n: 7 }))).toEqual({ status: 200, retryAfter: null, body: { echoed: 7 } });
    expect((await post('/v1/other', '{}')).body).toEqual({ from: 'framework' });
    expect((await fetch(`${base}/v1/echo`)).status).toBe(200);
    expect((await post('/v1/echo', 'n=7', 'application/x-www-form-urlencoded')).body).toEqual({ from: 'framework' });
    expect(framework).toEqual(['POST /v1/other', 'GET /v1/echo', 'POST /v1/echo']);
  });

  it('answers bad bodies and failures like the framework would: 400, 413, mapped errors, 503 with Retry-After, bare 500', async () => {
    expect(await post('/v1/echo', '{"n":')).toMatchObject({ status: 400, body: { error: 'invalid_body' } });
    expect(await post('/v1/echo', JSON.stringify({ n: 'x'.repeat(2_000) }))).toMatchObject({ status: 413, body: { error: 'body_too_large' } });
    expect(await post('/v1/echo', JSON.stringify({ fail: 'input' }))).toEqual({ status: 400, retryAfter: null, body: { error: 'invalid_echo', reason: 'n: must be a number' } });
    expect(await post('/v1/echo', JSON.stringify({ fail: 'down' }))).toMatchObject({ status: 503, retryAfter: '1', body: { error: 'unavailable', retriable: true } });
    expect(await post('/v1/echo', JSON.stringify({ fail: 'bug' }))).toEqual({ status: 500, retryAfter: null, body: { error: 'internal', reason: 'internal error' } });
  });

  it('counts its requests in the shared HTTP duration series under the route', async () => {
    await post('/v1/echo', JSON.stringify({ n: 1 }));
    const text = await metricsRegistry.metrics();
    expect(text).toMatch(/stylestream_http_request_duration_seconds_count\{method="POST",route="\/v1\/echo",status_code="200"\} [1-9]/);
    expect(text).toMatch(/stylestream_http_request_duration_seconds_count\{method="POST",route="\/v1\/echo",status_code="413"\} 1/);
  });
});
