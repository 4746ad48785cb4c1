/** @jest-environment ./libs/model/src/testing/onnx-jest.environment.js */
/**
 * Real: Kafka, schema registry, the default ONNX model (built if missing), sharp, the
 * file system, a local HTTP server, the extractor's ops HTTP endpoint. One partition:
 * good images (generated, and photos from ../shared/data/clothing-small when present),
 * then every kind of bad input, a tombstone, a corrupt Avro value, then one more good
 * image. Checks vector-extracted (dim 1280, unit norm, identical vectors for identical
 * bytes), one dead letter per bad input with its own reason, the /metrics counters,
 * /healthz and /readyz, and that the image after the bad ones was extracted.
 */
import { promises as fs } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Kafka, logLevel, type KafkaMessage } from 'kafkajs';
import sharp from 'sharp';
import { AvroProducer } from '@stylestream/kafka';
import { createLogger } from '@stylestream/logging';
import { buildDefaultModel } from '@stylestream/model';
import { SchemaRegistryGateway, bytesToVector, deadLetterContractFor, imageArrivedContract, sampleImageArrived, vectorExtractedContract } from '@stylestream/schemas';
import { createTopics, stack, uniqueName, waitFor } from '@stylestream/test-support';
import { startExtractor, type ExtractorRuntime } from './extractor.runtime';
import { bombPng, firstPhotos, modelsDir, seriesValue, testExtractorConfig } from './testing/extractor-it.fixture';

jest.setTimeout(240_000);

describe('extractor (integration)', () => {
  const kafka = new Kafka({ brokers: stack.brokers, clientId: 'extractor-it', logLevel: logLevel.NOTHING });
  const codec = SchemaRegistryGateway.connect({ url: stack.registryUrl });
  const producer = new AvroProducer(kafka, codec, { retries: 3 });
  const ia = uniqueName('it-ex-ia');
  const ve = uniqueName('it-ex-ve');
  const consumer = kafka.consumer({ groupId: uniqueName('it-ex-reader') });
  const received = new Map<string, KafkaMessage[]>([[ve, []], [`${ia}.dlq`, []]]);
  let dir: string;
  let extractor: ExtractorRuntime | undefined;
  let server: Server;
  let http: string;

  beforeAll(async () => {
    buildDefaultModel(modelsDir);
    dir = await fs.mkdtemp(join(tmpdir(), 'extractor-it-'));
    await createTopics([ia, `${ia}.dlq`, ve], 1);
    await producer.connect();
    await consumer.connect();
    await consumer.subscribe({ topics: [ve, `${ia}.dlq`], fromBeginning: true });
    await consumer.run({ eachMessage: ({ topic, message }) => Promise.resolve(void received.get(topic)?.push(message)) });
    server = createServer((req, res) => {
      if (req.url === '/never-answers.jpg') return; // holds the connection open, never responds
      res.writeHead(404).end();
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    http = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await extractor?.stop();
    await consumer.disconnect();
    await producer.disconnect();
    server.closeAllConnections();
    await new Promise<void>((done) => server.close(() => done()));
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('extracts good images, dead-letters each bad one with its reason and counts it, keeps the partition flowing', async () => {
    const file = (name: string) => join(dir, name);
    const redBlue = await sharp({ create: { width: 300, height: 200, channels: 3, background: { r: 200, g: 40, b: 40 } } })
      .composite([{ input: { create: { width: 100, height: 200, channels: 3, background: { r: 20, g: 20, b: 220 } } }, left: 0, top: 0 }])
      .jpeg()
      .toBuffer();
    await fs.writeFile(file('red-blue.jpg'), redBlue);
    await fs.writeFile(file('grey.png'), await sharp({ create: { width: 64, height: 96, channels: 4, background: { r: 128, g: 128, b: 128, alpha: 1 } } }).png().toBuffer());
    await fs.writeFile(file('green.webp'), await sharp({ create: { width: 120, height: 80, channels: 3, background: { r: 10, g: 180, b: 30 } } }).webp().toBuffer());
    await fs.writeFile(file('truncated.jpg'), redBlue.subarray(0, Math.floor(redBlue.length / 2)));
    await fs.writeFile(file('empty.jpg'), Buffer.alloc(0));
    await fs.writeFile(file('text.jpg'), 'this is not a jpeg\n');
    await fs.writeFile(file('bomb.png'), await bombPng(20_000));
    const photos = firstPhotos(2);
    const goods: [string, string][] = [
      ['g-red-blue', file('red-blue.jpg')],
      ['g-red-blue-again', file('red-blue.jpg')],
      ['g-grey', file('grey.png')],
      ...photos.map((p, i): [string, string] => [`g-photo-${i}`, p]),
    ];
    const bads: [string, string, string][] = [
      ['b-truncated', file('truncated.jpg'), 'IMAGE_DECODE_FAILED'],
      ['b-empty', file('empty.jpg'), 'IMAGE_EMPTY'],
      ['b-text', file('text.jpg'), 'IMAGE_FORMAT_UNSUPPORTED'],
      ['b-missing', file('missing.jpg'), 'IMAGE_NOT_FOUND'],
      ['b-bomb', file('bomb.png'), 'IMAGE_PIXELS_OVER_LIMIT'],
      ['b-http-404', `${http}/gone.jpg`, 'IMAGE_NOT_FOUND'],
      ['b-http-timeout', `${http}/never-answers.jpg`, 'IMAGE_UNREACHABLE'],
      ['b-scheme', 's3://bucket/key.jpg', 'UNSUPPORTED_SCHEME'],
    ];
    const after: [string, string] = ['g-after-bad', file('green.webp')];
    const uri = (path: string) => (path.startsWith('/') ? pathToFileURL(path).href : path);
    const event = ([imageId, path]: [string, string, ...string[]]) => ({ key: imageId, value: sampleImageArrived({ imageId, uri: uri(path), bloggerId: 'blogger-1' }) });

    extractor = await startExtractor(
      testExtractorConfig(
        { imageArrived: ia, vectorExtracted: ve },
        { EXTRACTOR_FETCH_TIMEOUT_MS: '300', EXTRACTOR_FETCH_ATTEMPTS: '2', EXTRACTOR_FETCH_BACKOFF_MS: '10', EXTRACTOR_MAX_PIXELS: '50000000' },
      ),
      createLogger('extractor-it'),
    );
    const { url } = extractor;
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    const ready = await waitFor(async () => {
      const r = await fetch(`${url}/readyz`);
      return r.status === 200 && r.json();
    }, { what: '/readyz 200' });
    expect(ready).toEqual({ status: 'ready' });

    const contract = imageArrivedContract.onTopic(ia);
    await producer.sendBatch(contract, [...goods.map(event), ...bads.map(event), { key: 'g-grey', value: null }]);
    await producer.sendRaw(ia, [{ key: 'b-not-avro', value: Buffer.from('not avro at all') }]);
    await producer.sendBatch(contract, [event(after)]);
    const expectedIds = [...goods, after].map(([id]) => id);
    const distinctVectorKeys = () => new Set((received.get(ve) ?? []).filter((m) => m.value !== null).map((m) => m.key?.toString()));
    await waitFor(() => distinctVectorKeys().size >= expectedIds.length && (received.get(`${ia}.dlq`)?.length ?? 0) >= bads.length + 1, {
      timeoutMs: 180_000,
      what: `${expectedIds.length} vectors and ${bads.length + 1} dead letters`,
    });

    // At-least-once: a redelivery may repeat a record; compare distinct keys.
    const outputs = received.get(ve) ?? [];
    expect([...new Set(outputs.filter((m) => m.value === null).map((m) => m.key?.toString()))]).toEqual(['g-grey']);
    const vectors = new Map<string, Buffer>();
    for (const m of outputs.filter((o) => o.value !== null)) {
      const { value } = await codec.decode(m.value as Buffer, vectorExtractedContract.onTopic(ve));
      expect(m.key?.toString()).toBe(value.imageId);
      expect(value).toMatchObject({ modelId: 'mobilenet-v2-nsfwjs', modelVersion: '1.0.0', dim: 1280, bloggerId: 'blogger-1' });
      expect(value.perceptualHash).toMatch(/^[0-9a-f]{16}$/);
      expect(value.contentSha256).toMatch(/^[0-9a-f]{64}$/);
      const v = bytesToVector(value.vector);
      expect(v).toHaveLength(1280);
      expect(Math.sqrt(v.reduce((s, x) => s + x * x, 0))).toBeCloseTo(1, 4);
      vectors.set(value.imageId, value.vector);
    }
    expect([...vectors.keys()].sort()).toEqual([...expectedIds].sort());
    const same = bytesToVector(vectors.get('g-red-blue') as Buffer);
    const again = bytesToVector(vectors.get('g-red-blue-again') as Buffer);
    expect(Math.max(...same.map((x, i) => Math.abs(x - again[i])))).toBeLessThan(1e-5); // same bytes, same vector (batch composition may differ)
    expect(vectors.get('g-red-blue')?.equals(vectors.get('g-grey') as Buffer)).toBe(false);

    const dlq = deadLetterContractFor(ia).onTopic(`${ia}.dlq`);
    const letters = await Promise.all((received.get(`${ia}.dlq`) ?? []).map(async (m) => (await codec.decode(m.value as Buffer, dlq)).value));
    const expectedLetters = [...bads.map(([id, , code]) => [id, code, 'extractor']), ['b-not-avro', 'WIRE_FORMAT_INVALID', 'extractor']];
    expect(letters.map((l) => [l.key?.toString(), l.errorClass, l.stage]).sort()).toEqual(expectedLetters.sort());
    for (const l of letters) expect(l.reason.length).toBeGreaterThan(10);
    expect(letters.find((l) => l.key?.toString() === 'b-http-timeout')).toMatchObject({ retriable: true, attempts: 4 }); // test retry profile: 4 attempts
    expect(letters.find((l) => l.key?.toString() === 'b-http-timeout')?.reason).toContain('timed out');

    // Every dead letter is counted under its own error class; produced/consumed per topic; stage timings recorded.
    const text = await (await fetch(`${url}/metrics`)).text();
    const byClass = new Map<string, number>();
    for (const [, code] of expectedLetters) byClass.set(code, (byClass.get(code) ?? 0) + 1);
    for (const [code, n] of byClass) expect([code, seriesValue(text, 'stylestream_messages_dead_lettered_total', { topic: ia, error_class: code })]).toEqual([code, n]);
    expect(seriesValue(text, 'stylestream_messages_consumed_total', { topic: ia, outcome: 'dead_lettered' })).toBe(bads.length + 1);
    expect(seriesValue(text, 'stylestream_messages_produced_total', { topic: `${ia}.dlq` })).toBe(bads.length + 1);
    expect(seriesValue(text, 'stylestream_messages_produced_total', { topic: ve })).toBeGreaterThanOrEqual(expectedIds.length + 1);
    expect(seriesValue(text, 'stylestream_handler_duration_seconds_count', { topic: ia })).toBeGreaterThan(0);
    for (const stage of ['fetch', 'decode', 'inference', 'publish']) {
      expect([stage, seriesValue(text, 'stylestream_extractor_stage_duration_seconds_count', { stage }) > 0]).toEqual([stage, true]);
    }
    expect(seriesValue(text, 'stylestream_extractor_inference_batch_size_images_count', { model: 'mobilenet-v2-nsfwjs' })).toBeGreaterThan(0);
  });
});
