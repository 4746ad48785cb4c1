import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import type { App } from 'supertest/types';
import { DependencyUnavailableError } from '@stylestream/errors';
import { createLogger } from '@stylestream/logging';
import { InMemoryImageArrivedPublisher } from '../../test/in-memory-image-arrived.publisher';
import { IMAGE_ID_PATTERN, IMAGE_URI_PATTERN } from '../domain/image-id';
import { createIngestHttpApp } from './ingest-http.app';

const KEY = 'test-key-0123456789';

describe('ingest HTTP app (fake publisher)', () => {
  let app: INestApplication;
  let publisher: InMemoryImageArrivedPublisher;
  let http: App;

  beforeAll(async () => {
    publisher = new InMemoryImageArrivedPublisher();
    app = await createIngestHttpApp({ apiKeys: ['other-key-xyz', KEY], maxBatch: 5, maxBodyBytes: 2048, publisher, logger: createLogger('ingest-test', 'silent') });
    await app.init();
    http = app.getHttpServer() as App;
  });
  afterAll(async () => {
    await app.close();
    expect(publisher.closed).toBe(true);
  });
  beforeEach(() => {
    publisher.records.length = 0;
    publisher.failWith = undefined;
  });

  const post = (body: unknown) => request(http).post('/v1/images').set('x-api-key', KEY).send(body as object);

  it('POST one image → 202 with id, topic, partition, offset', async () => {
    const res = await post({ uri: 'https://cdn.example.com/a.jpg', source: 'social' }).expect(202);
    expect(res.body).toEqual({ accepted: 1, images: [{ imageId: expect.stringMatching(/^img-/) as unknown, topic: 'image-arrived', partition: 0, offset: '0' }] });
    expect(publisher.events[0]?.uri).toBe('https://cdn.example.com/a.jpg');
  });

  it('POST a batch → 202 with one receipt per image, in order', async () => {
    const images = [1, 2, 3].map((n) => ({ uri: `https://cdn.example.com/${n}.jpg`, source: 'street' }));
    const res = await post({ images }).expect(202);
    expect((res.body as { accepted: number }).accepted).toBe(3);
    expect(publisher.events.map((e) => e.uri)).toEqual(images.map((i) => i.uri));
  });

  it('invalid batch → 400 validation_failed with field paths, nothing published', async () => {
    const good = { uri: 'https://x.example/a.jpg', source: 'street' };
    const res = await post({ images: [good, good, good, { uri: 'https://x.example/b.jpg', source: 'tv' }] }).expect(400);
    expect(res.body).toEqual({ error: 'validation_failed', issues: [{ path: 'images.3.source', message: expect.stringContaining('social') as unknown }] });
    expect(publisher.records).toHaveLength(0);
  });

  it('batch over INGEST_MAX_BATCH → 400 naming the limit', async () => {
    const img = { uri: 'https://x.example/a.jpg', source: 'street' };
    const res = await post({ images: Array.from({ length: 6 }, () => img) }).expect(400);
    expect(res.body).toMatchObject({ error: 'validation_failed', issues: [{ path: 'images', message: expect.stringContaining('at most 5') as unknown }] });
  });

  it('malformed JSON → 400 invalid_json; wrong content type → 415', async () => {
    const res = await request(http).post('/v1/images').set('x-api-key', KEY).set('content-type', 'application/json').send('{"uri": ').expect(400);
    expect(res.body).toMatchObject({ error: 'invalid_json' });
    await request(http).post('/v1/images').set('x-api-key', KEY).set('content-type', 'text/plain').send('hi').expect(415);
  });

  it('body over INGEST_MAX_BODY_BYTES → 413 with a reason', async () => {
    const res = await post({ uri: `https://x.example/${'a'.repeat(3000)}.jpg`, source: 'street' }).expect(413);
    expect(res.body).toEqual({ error: 'payload_too_large', reason: expect.stringContaining('exceeds the limit of 2048 bytes') as unknown });
  });

  it('missing or unknown API key → 401 with a reason', async () => {
    const missing = await request(http).post('/v1/images').send({ uri: 'https://x.example/a.jpg', source: 'street' }).expect(401);
    expect(missing.body).toEqual({ error: 'unauthorized', reason: 'missing x-api-key header' });
    const unknown = await request(http).delete('/v1/images/img-1').set('x-api-key', 'wrong-key-123').expect(401);
    expect(unknown.body).toEqual({ error: 'unauthorized', reason: 'unknown API key' });
    // Checked before the body is read: an unauthenticated oversized body gets 401, not 413.
    await request(http).post('/v1/images').set('x-api-key', 'wrong-key-123').send({ uri: 'x'.repeat(5000) }).expect(401);
    expect(publisher.records).toHaveLength(0);
  });

  it('DELETE /v1/images/:id → 202 tombstone', async () => {
    const res = await request(http).delete('/v1/images/img-abc').set('x-api-key', KEY).expect(202);
    expect(res.body).toEqual({ imageId: 'img-abc', topic: 'image-arrived', partition: 0, offset: '0', tombstone: true });
    expect(publisher.records).toEqual([{ key: 'img-abc', value: null }]);
  });

  it('Kafka unavailable → 503 retriable with Retry-After', async () => {
    publisher.failWith = new DependencyUnavailableError('kafka', 'broker down');
    const res = await post({ uri: 'https://x.example/a.jpg', source: 'street' }).expect(503);
    expect(res.headers['retry-after']).toBe('1');
    expect(res.body).toEqual({ error: 'unavailable', reason: 'kafka: broker down', retriable: true });
  });

  it('serves /health, /metrics and the OpenAPI document without a key; unknown routes → 404 JSON', async () => {
    await request(http).get('/health').expect(200, { status: 'ok' });
    const metrics = await request(http).get('/metrics').expect(200);
    expect(metrics.text).toContain('stylestream_');
    const doc = await request(http).get('/docs-json').expect(200);
    interface Op { responses: Record<string, unknown>; parameters?: { name: string; schema: { pattern?: string } }[]; requestBody?: { content: Record<string, { schema: { oneOf: { properties: Record<string, { pattern?: string }> }[] } }> } }
    const paths = (doc.body as { paths: Record<string, Record<string, Op>> }).paths;
    const post = paths['/v1/images']?.post;
    expect(Object.keys(post?.responses ?? {})).toEqual(expect.arrayContaining(['202', '400', '401', '413', '415', '503']));
    expect(paths['/v1/images/{id}']?.delete?.parameters?.find((p) => p.name === 'id')?.schema.pattern).toBe(IMAGE_ID_PATTERN.source);
    const image = post?.requestBody?.content['application/json']?.schema.oneOf[0];
    expect(image?.properties.uri?.pattern).toBe(IMAGE_URI_PATTERN.source);
    expect(JSON.stringify(image)).not.toContain('\\\\d'); // ASCII digits spelt [0-9] for every regex dialect
    const spec = doc.body as { paths: Record<string, unknown>; components: { securitySchemes: Record<string, unknown> } };
    expect(Object.keys(spec.paths)).toEqual(expect.arrayContaining(['/v1/images', '/v1/images/{id}', '/health']));
    expect(spec.components.securitySchemes['api-key']).toMatchObject({ type: 'apiKey', name: 'x-api-key', in: 'header' });
    await request(http).get('/docs').expect(200);
    const missing = await request(http).get('/nope').expect(404);
    expect(missing.body).toMatchObject({ error: 'not_found' });
  });
});
