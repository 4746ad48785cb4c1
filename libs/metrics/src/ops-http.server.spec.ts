import { Counter, Registry } from 'prom-client';
import { startOpsHttpServer, type OpsHttpServer, type Readiness } from './ops-http.server';

describe('startOpsHttpServer', () => {
  const registry = new Registry();
  new Counter({ name: 'ops_test_events_total', help: 'test counter', registers: [registry] }).inc(3);
  let readiness: Readiness | Error = { ready: false, reason: 'state not restored yet' };
  let server: OpsHttpServer;

  beforeAll(async () => {
    server = await startOpsHttpServer({
      port: 0,
      registry,
      readiness: () => {
        if (readiness instanceof Error) throw readiness;
        return readiness;
      },
    });
  });
  afterAll(() => server.close());

  it('serves the registry as Prometheus text at /metrics', async () => {
    const res = await fetch(`${server.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    expect(await res.text()).toContain('ops_test_events_total 3');
  });

  it('answers liveness at /healthz and /health', async () => {
    for (const path of ['/healthz', '/health']) {
      const res = await fetch(`${server.url}${path}`);
      expect({ path, status: res.status, body: await res.json() }).toEqual({ path, status: 200, body: { status: 'ok' } });
    }
  });

  it('answers readiness from the check: 503 with the reason, then 200, and 503 when the check throws', async () => {
    let res = await fetch(`${server.url}/readyz`);
    expect([res.status, await res.json()]).toEqual([503, { status: 'not-ready', reason: 'state not restored yet' }]);
    readiness = { ready: true };
    res = await fetch(`${server.url}/readyz`);
    expect([res.status, await res.json()]).toEqual([200, { status: 'ready' }]);
    readiness = new Error('consumer crashed');
    res = await fetch(`${server.url}/readyz`);
    expect([res.status, await res.json()]).toEqual([503, { status: 'not-ready', reason: 'readiness check failed: consumer crashed' }]);
  });

  it('404s unknown paths and 405s other methods', async () => {
    expect((await fetch(`${server.url}/v1/lag`)).status).toBe(404);
    const res = await fetch(`${server.url}/metrics`, { method: 'POST' });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET, HEAD');
  });

  it('rejects when the port is taken', async () => {
    await expect(startOpsHttpServer({ port: server.port, registry })).rejects.toThrow(/EADDRINUSE/);
  });
});
