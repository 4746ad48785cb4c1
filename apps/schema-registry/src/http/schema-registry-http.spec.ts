import request from 'supertest';
import { createLogger } from '@stylestream/logging';
import { schemaRegistryConfigSchema } from '../schema-registry.config';
import { RunningSchemaRegistry, startSchemaRegistry } from '../start-schema-registry';
import { InMemorySchemaLog } from '../store/in-memory-schema-log';

// Small tier: the whole HTTP app with the Kafka log replaced by InMemorySchemaLog.
const CT = 'application/vnd.schemaregistry.v1+json';
const schema = (fields: unknown[]) => JSON.stringify({ type: 'record', name: 'Item', fields });
const v1 = schema([{ name: 'id', type: 'string' }]);
const v2 = schema([{ name: 'id', type: 'string' }, { name: 'size', type: 'int', default: 0 }]);

/** supertest types bodies as any; registry answers are JSON objects. */
const bodyOf = (res: request.Response): Record<string, unknown> => res.body as Record<string, unknown>;

async function start(env: Record<string, string> = {}): Promise<RunningSchemaRegistry> {
  const config = schemaRegistryConfigSchema.parse({ PORT: '0', ...env });
  return startSchemaRegistry(config, { log: new InMemorySchemaLog(), logger: createLogger('schema-registry-test', 'silent') });
}

describe('schema registry HTTP API (in-memory log)', () => {
  let registry: RunningSchemaRegistry;
  beforeAll(async () => {
    registry = await start();
  });
  afterAll(async () => {
    await registry.close();
  });
  const api = () => request(registry.url);

  it('registers with each accepted content type and answers in the registry content type', async () => {
    for (const type of [CT, 'application/vnd.schemaregistry+json', 'application/json']) {
      const res = await api().post('/subjects/ct-value/versions').set('Content-Type', type).send(JSON.stringify({ schema: v1 }));
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toContain(CT);
      expect(bodyOf(res)).toEqual({ id: expect.any(Number) as unknown });
    }
  });

  it('serves a registered schema through every read endpoint', async () => {
    const id = bodyOf(await api().post('/subjects/read-value/versions').set('Content-Type', CT).send({ schema: v1 })).id as number;
    await api().post('/subjects/read-value/versions').set('Content-Type', CT).send({ schema: v2 }).expect(200);
    await api().get(`/schemas/ids/${id}`).expect(200, { schema: v1 });
    await api().get(`/schemas/ids/${id}/versions`).expect(200).expect((res) => expect(res.body as unknown[]).toContainEqual({ subject: 'read-value', version: 1 }));
    await api().get('/subjects').expect(200).expect((res) => expect(res.body as unknown[]).toContain('read-value'));
    await api().get('/subjects/read-value/versions').expect(200, [1, 2]);
    await api().get('/subjects/read-value/versions/1').expect(200, { subject: 'read-value', id, version: 1, schema: v1 });
    await api().get('/subjects/read-value/versions/latest').expect(200).expect((res) => expect(bodyOf(res).version).toBe(2));
    const raw = await api().get('/subjects/read-value/versions/1/schema').expect(200);
    expect(raw.text).toBe(v1);
    await api().post('/subjects/read-value').set('Content-Type', CT).send({ schema: v1 }).expect(200, { subject: 'read-value', id, version: 1, schema: v1 });
    await api().get('/').expect(200, {});
  });

  it('answers Confluent error codes', async () => {
    const expectError = (res: request.Response, status: number, code: number): void => {
      expect({ status: res.status, code: bodyOf(res).error_code }).toEqual({ status, code });
      expect(typeof bodyOf(res).message).toBe('string');
    };
    await api().post('/subjects/err-value/versions').set('Content-Type', CT).send({ schema: v1 }).expect(200);
    expectError(await api().post('/subjects/err-value/versions').send({ schema: '{"type":"nope"}' }), 422, 42201);
    expectError(await api().post('/subjects/err-value/versions').send({ schema: '{}', schemaType: 'JSON' }), 422, 42201);
    expectError(await api().post('/subjects/err-value/versions').send({ schema: schema([{ name: 'id', type: 'int' }]) }), 409, 409);
    expectError(await api().get('/subjects/missing/versions'), 404, 40401);
    expectError(await api().get('/subjects/err-value/versions/9'), 404, 40402);
    expectError(await api().get('/schemas/ids/9999'), 404, 40403);
    expectError(await api().post('/subjects/err-value').send({ schema: v2 }), 404, 40403);
    expectError(await api().get('/subjects/err-value/versions/zero'), 422, 42202);
    expectError(await api().put('/config').send({ compatibility: 'SOMETIMES' }), 422, 42203);
    expectError(await api().get('/config/err-value'), 404, 40408);
    expectError(await api().post('/subjects/err-value/versions').set('Content-Type', CT).send('{"schema":'), 400, 400);
  });

  it('checks compatibility without registering', async () => {
    await api().post('/subjects/compat-value/versions').send({ schema: v1 }).expect(200);
    const incompatible = schema([{ name: 'id', type: 'int' }]);
    await api().post('/compatibility/subjects/compat-value/versions/latest').send({ schema: v2 }).expect(200, { is_compatible: true });
    await api().post('/compatibility/subjects/compat-value/versions/1').send({ schema: incompatible }).expect(200, { is_compatible: false });
    const verbose = await api().post('/compatibility/subjects/compat-value/versions?verbose=true').send({ schema: incompatible }).expect(200);
    expect(bodyOf(verbose).is_compatible).toBe(false);
    expect((bodyOf(verbose).messages as string[])[0]).toContain('version 1');
    await api().get('/subjects/compat-value/versions').expect(200, [1]);
  });

  it('reads and sets compatibility levels', async () => {
    await api().get('/config').expect(200, { compatibilityLevel: 'BACKWARD' });
    await api().put('/config/level-value').send({ compatibility: 'FULL_TRANSITIVE' }).expect(200, { compatibility: 'FULL_TRANSITIVE' });
    await api().get('/config/level-value').expect(200, { compatibilityLevel: 'FULL_TRANSITIVE' });
    await api().get('/config/other-value?defaultToGlobal=true').expect(200, { compatibilityLevel: 'BACKWARD' });
    await api().delete('/config/level-value').expect(200, { compatibilityLevel: 'FULL_TRANSITIVE' });
  });

  it('deletes softly, then permanently', async () => {
    await api().post('/subjects/del-value/versions').send({ schema: v1 }).expect(200);
    await api().delete('/subjects/del-value?permanent=true').expect(404).expect((res) => expect(bodyOf(res).error_code).toBe(40405));
    await api().delete('/subjects/del-value').expect(200, [1]);
    await api().get('/subjects/del-value/versions').expect(404);
    await api().get('/subjects?deleted=true').expect(200).expect((res) => expect(res.body as unknown[]).toContain('del-value'));
    await api().delete('/subjects/del-value?permanent=true').expect(200, [1]);
    await api().get('/subjects?deleted=true').expect(200).expect((res) => expect(res.body as unknown[]).not.toContain('del-value'));
  });

  it('serves /health and /metrics', async () => {
    await api().get('/health').expect(200).expect((res) => expect(bodyOf(res).status).toBe('UP'));
    const metrics = await api().get('/metrics').expect(200);
    expect(metrics.text).toContain('stylestream_schema_registry_schemas');
  });
});

describe('schema registry basic auth', () => {
  let registry: RunningSchemaRegistry;
  beforeAll(async () => {
    registry = await start({ SCHEMA_REGISTRY_BASIC_AUTH: 'alice:s3cret,bob:pa:ss' });
  });
  afterAll(async () => {
    await registry.close();
  });

  it('answers 401 without or with wrong credentials, 200 with any listed user', async () => {
    const missing = await request(registry.url).get('/subjects').expect(401);
    expect(bodyOf(missing).error_code).toBe(401);
    expect(missing.headers['www-authenticate']).toContain('Basic');
    await request(registry.url).get('/subjects').auth('alice', 'wrong').expect(401);
    await request(registry.url).get('/subjects').auth('alice', 's3cret').expect(200);
    await request(registry.url).get('/subjects').auth('bob', 'pa:ss').expect(200);
  });

  it('leaves /health and /metrics open', async () => {
    await request(registry.url).get('/health').expect(200);
    await request(registry.url).get('/metrics').expect(200);
  });
});
