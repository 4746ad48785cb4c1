/**
 * Integration: the ingest HTTP app with the REAL Kafka adapter (broker at
 * KAFKA_BROKERS, schema registry at SCHEMA_REGISTRY_URL), publishing to a
 * unique topic via INGEST_TOPIC. Records are read back and decoded through
 * the registry.
 */
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import type { App } from 'supertest/types';
import { loadConfig } from '@stylestream/config';
import { createLogger } from '@stylestream/logging';
import { stack, uniqueName, waitFor } from '@stylestream/test-support';
import { createIngestHttpApp } from '../src/http/ingest-http.app';
import { ingestHttpConfigSchema } from '../src/ingest.config';
import { connectImageArrivedPublisher } from '../src/kafka/connect-image-arrived.publisher';
import { ImageArrivedTopicReader } from './image-arrived.topic-reader';

const KEY = 'int-test-key-42';

interface Receipt {
  imageId: string;
  topic: string;
  partition: number;
  offset: string;
}

describe('ingest HTTP → Kafka (real broker and registry)', () => {
  const topic = uniqueName('ingest-http');
  let app: INestApplication;
  let http: App;
  let reader: ImageArrivedTopicReader;

  beforeAll(async () => {
    const config = loadConfig(ingestHttpConfigSchema, {
      KAFKA_BROKERS: stack.brokers.join(','),
      SCHEMA_REGISTRY_URL: stack.registryUrl,
      INGEST_TOPIC: topic,
      KAFKA_TOPIC_PARTITIONS: '3',
      INGEST_API_KEYS: KEY,
    });
    const logger = createLogger('ingest-int-test', process.env.TEST_LOG_LEVEL ?? 'silent');
    const publisher = await connectImageArrivedPublisher(config, logger);
    app = await createIngestHttpApp({ apiKeys: config.INGEST_API_KEYS, maxBatch: config.INGEST_MAX_BATCH, maxBodyBytes: config.INGEST_MAX_BODY_BYTES, publisher, logger });
    await app.init();
    http = app.getHttpServer() as App;
    reader = await new ImageArrivedTopicReader(topic).start();
  }, 60_000);

  afterAll(async () => {
    await reader?.stop();
    await app?.close();
  });

  const post = (body: object) => request(http).post('/v1/images').set('x-api-key', KEY).send(body);

  it('POST one image: the record at the returned partition/offset decodes to the sent event', async () => {
    const sent = {
      uri: 'https://cdn.example.com/look/1.jpg',
      source: 'social',
      bloggerId: 'blogger-7',
      publishedAt: '2026-03-01T10:00:00Z',
      title: 'Linen summer dress',
      labels: { category: 'dress', fabric: ['linen'], color: ['white'] },
      attributes: { market: 'eu' },
    };
    const res = await post(sent).expect(202);
    const [receipt] = (res.body as { images: Receipt[] }).images;
    expect(receipt?.topic).toBe(topic);
    await reader.waitForCount(1);
    const record = reader.at(receipt?.partition ?? -1, receipt?.offset ?? '');
    expect(record?.key).toBe(receipt?.imageId);
    expect(record?.value).toMatchObject({
      imageId: receipt?.imageId,
      uri: sent.uri,
      source: 'social',
      bloggerId: 'blogger-7',
      publishedAt: Date.parse(sent.publishedAt),
      title: sent.title,
      contentSha256: null,
      attributes: { market: 'eu' },
      labels: { category: ['dress'], fabric: ['linen'], color: ['white'], style: [] },
    });
  });

  it('POST a batch: one record per image, each at its receipt, same keys on a re-send', async () => {
    const images = Array.from({ length: 12 }, (_, i) => ({ uri: `https://shop.example.com/p/${i}.jpg`, source: 'ecommerce', labels: { category: 'shirt' } }));
    const before = reader.records.length;
    const res = await post({ images }).expect(202);
    const receipts = (res.body as { accepted: number; images: Receipt[] }).images;
    expect(receipts).toHaveLength(12);
    expect(new Set(receipts.map((r) => r.partition)).size).toBeGreaterThan(1);
    await reader.waitForCount(before + 12);
    for (const [i, receipt] of receipts.entries()) {
      const record = reader.at(receipt.partition, receipt.offset);
      expect(record?.key).toBe(receipt.imageId);
      expect(record?.value?.uri).toBe(images[i]?.uri);
    }
    const again = (await post({ images }).expect(202)).body as { images: Receipt[] };
    expect(again.images.map((r) => [r.imageId, r.partition])).toEqual(receipts.map((r) => [r.imageId, r.partition]));
  });

  it('DELETE /v1/images/:id publishes a tombstone (null value) keyed by the id', async () => {
    const res = await request(http).delete('/v1/images/img-takedown-1').set('x-api-key', KEY).expect(202);
    const receipt = res.body as Receipt & { tombstone: boolean };
    expect(receipt.tombstone).toBe(true);
    const record = await waitFor(() => reader.at(receipt.partition, receipt.offset), { what: 'the tombstone' });
    expect(record).toEqual({ key: 'img-takedown-1', value: null, partition: receipt.partition, offset: receipt.offset });
  });

  it('bad fields → 400 with field-level reasons; malformed JSON → 400; missing key → 401', async () => {
    const bad = await post({ images: [{ uri: 'https://x.example/a.jpg', source: 'social' }, { uri: 'relative.jpg', source: 'moon' }] }).expect(400);
    expect(bad.body).toEqual({
      error: 'validation_failed',
      issues: expect.arrayContaining([
        { path: 'images.1.uri', message: 'must be an absolute http(s) or file URL' },
        expect.objectContaining({ path: 'images.1.source' }),
      ]) as unknown,
    });
    await request(http).post('/v1/images').set('x-api-key', KEY).set('content-type', 'application/json').send('{"images": [').expect(400);
    const unauthorized = await request(http).post('/v1/images').send({ uri: 'https://x.example/a.jpg', source: 'social' }).expect(401);
    expect(unauthorized.body).toEqual({ error: 'unauthorized', reason: 'missing x-api-key header' });
  });
});
