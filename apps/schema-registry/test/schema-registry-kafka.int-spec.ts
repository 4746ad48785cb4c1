import { waitFor } from '@stylestream/test-support';
import type { RunningSchemaRegistry } from '../src/start-schema-registry';
import { call, deleteTopics, startTestRegistry, uniqueSchemasTopic } from './registry-under-test';

// Medium tier: real Kafka (dev broker) behind the registry; nothing faked.
const record = (name: string, fields: unknown[]) => JSON.stringify({ type: 'record', name, fields });
const item = record('Item', [{ name: 'id', type: 'string' }]);

jest.setTimeout(60_000);

describe('schema registry on Kafka', () => {
  const topics: string[] = [];
  const running: RunningSchemaRegistry[] = [];
  const start = async (topic: string) => {
    const registry = await startTestRegistry(topic);
    running.push(registry);
    return registry;
  };
  const newTopic = () => {
    const topic = uniqueSchemasTopic();
    topics.push(topic);
    return topic;
  };

  afterAll(async () => {
    await Promise.allSettled(running.map((r) => r.close()));
    await deleteTopics(topics);
  });

  it('gives 50 concurrent registrations of the same schema one id, and distinct schemas distinct ids', async () => {
    const registry = await start(newTopic());
    const same = await Promise.all(
      Array.from({ length: 50 }, () => call(registry.url, 'POST', '/subjects/concurrent-value/versions', { schema: item })),
    );
    expect(same.every((r) => r.status === 200)).toBe(true);
    expect(new Set(same.map((r) => (r.body as { id: number }).id)).size).toBe(1);
    expect((await call(registry.url, 'GET', '/subjects/concurrent-value/versions')).body).toEqual([1]);

    const distinct = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        call(registry.url, 'POST', `/subjects/distinct-${i}-value/versions`, { schema: record(`R${i}`, [{ name: 'n', type: 'int' }]) }),
      ),
    );
    const ids = distinct.map((r) => (r.body as { id: number }).id);
    expect(new Set(ids).size).toBe(10);
    expect(Math.max(...ids)).toBe(11);
  });

  it('rebuilds the same ids, versions and levels after a restart', async () => {
    const topic = newTopic();
    const first = await start(topic);
    const v1 = await call(first.url, 'POST', '/subjects/restart-value/versions', { schema: item });
    const v2 = await call(first.url, 'POST', '/subjects/restart-value/versions', {
      schema: record('Item', [{ name: 'id', type: 'string' }, { name: 'size', type: 'int', default: 0 }]),
    });
    await call(first.url, 'PUT', '/config/restart-value', { compatibility: 'FULL' });
    await call(first.url, 'DELETE', '/subjects/restart-value/versions/1');
    await first.close();

    const second = await start(topic);
    expect((await call(second.url, 'GET', '/subjects/restart-value/versions?deleted=true')).body).toEqual([1, 2]);
    expect((await call(second.url, 'GET', '/subjects/restart-value/versions')).body).toEqual([2]);
    expect((await call(second.url, 'GET', '/subjects/restart-value/versions/2')).body).toMatchObject({ id: (v2.body as { id: number }).id });
    expect((await call(second.url, 'GET', `/schemas/ids/${(v1.body as { id: number }).id}`)).body).toEqual({ schema: item });
    expect((await call(second.url, 'GET', '/config/restart-value')).body).toEqual({ compatibilityLevel: 'FULL' });
    // re-registering after restart answers the old id without a new version
    expect((await call(second.url, 'POST', '/subjects/restart-value/versions', { schema: item })).body).toEqual(v1.body);
    const fresh = await call(second.url, 'POST', '/subjects/other-value/versions', { schema: record('Other', [{ name: 'x', type: 'long' }]) });
    expect((fresh.body as { id: number }).id).toBe(3);
  });

  it('a newer instance fences the older one, which turns read-only but keeps serving reads', async () => {
    const topic = newTopic();
    const older = await start(topic);
    const { body } = await call(older.url, 'POST', '/subjects/fence-value/versions', { schema: item });
    const newer = await start(topic);

    const rejected = await call(older.url, 'POST', '/subjects/fence-other-value/versions', { schema: item });
    expect(rejected.status).toBe(500);
    expect((rejected.body as { error_code: number }).error_code).toBe(50001);
    expect((rejected.body as { message: string }).message).toContain('fenced');
    expect((await fetch(`${older.url}/health`)).status).toBe(503);
    expect((await call(older.url, 'GET', '/subjects/fence-value/versions/1')).status).toBe(200);

    expect((await fetch(`${newer.url}/health`)).status).toBe(200);
    expect((await call(newer.url, 'POST', '/subjects/fence-value/versions', { schema: item })).body).toEqual(body);
    const next = await call(newer.url, 'POST', '/subjects/fence-value/versions', {
      schema: record('Item', [{ name: 'id', type: 'string' }, { name: 'n', type: ['null', 'int'], default: null }]),
    });
    expect(next.status).toBe(200);
    // the fenced instance still tails the log, so it sees the newer instance's writes
    await waitFor(async () => (await call(older.url, 'GET', '/subjects/fence-value/versions')).body?.toString() === '1,2', {
      what: 'the fenced instance to apply the newer one\'s write',
    });
  });
});
