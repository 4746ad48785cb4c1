/**
 * The services of the local stack, as started by `npm run stack -- up`
 * (real: Elasticsearch, Prometheus, Alertmanager; addresses from
 * @stylestream/test-support, overridable by env for a second stack copy).
 */
import { Client } from '@elastic/elasticsearch';
import { stack, uniqueName, waitFor } from '@stylestream/test-support';

async function getJson<T>(url: string): Promise<T> {
  const response = await fetch(url, { signal: AbortSignal.timeout(5000) });
  if (!response.ok) throw new Error(`GET ${url} answered ${response.status}`);
  return (await response.json()) as T;
}

describe('Elasticsearch of the local stack', () => {
  const client = new Client({ node: stack.elasticsearchUrl, requestTimeout: 10_000 });
  afterAll(() => client.close());

  it('is healthy through the official client (which checks x-elastic-product)', async () => {
    const health = await client.cluster.health();
    expect(['green', 'yellow']).toContain(health.status);
    // GET / (client.info) is not served by the integ-test zip (core modules only); nodes.info is.
    const nodes = await client.nodes.info();
    expect(Object.values(nodes.nodes).map((n) => n.version)).toEqual([expect.stringMatching(/^8\.19\./)]);
  });

  it('indexes and finds a document by id with an external version', async () => {
    const index = uniqueName('stack-check');
    try {
      await client.index({ index, id: 'img-1', version: 7, version_type: 'external', document: { title: 'linen shirt' }, refresh: true });
      const found = await client.get<{ title: string }>({ index, id: 'img-1' });
      expect(found._source?.title).toBe('linen shirt');
      expect(found._version).toBe(7);
    } finally {
      await client.indices.delete({ index, ignore_unavailable: true });
    }
  });
});

describe('Prometheus of the local stack', () => {
  it('serves its loaded configuration', async () => {
    const body = await getJson<{ status: string; data: { yaml: string } }>(`${stack.prometheusUrl}/api/v1/status/config`);
    expect(body.status).toBe('success');
    expect(body.data.yaml).toMatch(/alerts\/\*\.yml/);
  });

  it('has loaded the alert rules of alerts/*.yml', async () => {
    interface Rules {
      data: { groups: { name: string; file: string; rules: { name: string; type: string; labels?: Record<string, string> }[] }[] };
    }
    const groups = await waitFor(
      async () => {
        const body = await getJson<Rules>(`${stack.prometheusUrl}/api/v1/rules`);
        return body.data.groups.length > 0 ? body.data.groups : undefined;
      },
      { timeoutMs: 20_000, what: 'rule groups in /api/v1/rules' },
    );
    const stackGroup = groups.find((g) => g.name === 'stack');
    expect(stackGroup?.file).toMatch(/alerts\/stack\.yml$/);
    const rule = stackGroup?.rules.find((r) => r.name === 'ScrapeTargetDown');
    expect(rule).toMatchObject({ type: 'alerting', labels: { severity: 'warning' } });
  });

  it('sends alerts to the local Alertmanager', async () => {
    const body = await waitFor(
      async () => {
        const answer = await getJson<{ data: { activeAlertmanagers: { url: string }[] } }>(`${stack.prometheusUrl}/api/v1/alertmanagers`);
        return answer.data.activeAlertmanagers.length > 0 ? answer : undefined;
      },
      { timeoutMs: 20_000, what: 'an active alertmanager in Prometheus' },
    );
    const port = new URL(stack.alertmanagerUrl).port;
    expect(body.data.activeAlertmanagers.map((a) => a.url).join(' ')).toContain(`:${port}/`);
  });
});

describe('Alertmanager of the local stack', () => {
  it('is ready', async () => {
    const response = await fetch(`${stack.alertmanagerUrl}/-/ready`, { signal: AbortSignal.timeout(5000) });
    expect(response.status).toBe(200);
  });

  it('runs the local configuration (receiver "local")', async () => {
    const body = await getJson<{ config: { original: string } }>(`${stack.alertmanagerUrl}/api/v2/status`);
    expect(body.config.original).toMatch(/receiver: local/);
  });
});
