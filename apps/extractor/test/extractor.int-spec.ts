/** @jest-environment ./libs/model/src/testing/onnx-jest.environment.js */
/**
 * Real: Kafka, schema registry, the default ONNX model (built if missing), sharp, the
 * file system. Publishes image-arrived records with file:// URIs (generated images, a
 * photo from ../shared/data/clothing-small when present, bad files, a tombstone) and
 * checks vector-extracted (dim 1280, unit norm, identical bytes for identical images)
 * and one dead letter per bad image, each with its own code.
 */
import { existsSync, promises as fs, readdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { crc32 } from 'node:zlib';
import { Kafka, logLevel, type KafkaMessage } from 'kafkajs';
import sharp from 'sharp';
import { loadConfig } from '@stylestream/config';
import { AvroProducer } from '@stylestream/kafka';
import { createLogger } from '@stylestream/logging';
import { buildDefaultModel } from '@stylestream/model';
import { SchemaRegistryGateway, bytesToVector, deadLetterContractFor, imageArrivedContract, sampleImageArrived, vectorExtractedContract } from '@stylestream/schemas';
import { createTopics, stack, uniqueName, waitFor } from '@stylestream/test-support';
import { extractorConfigSchema } from '../src/extractor.config';
import { startExtractor, type ExtractorRuntime } from '../src/extractor.runtime';

jest.setTimeout(240_000);

const root = resolve(__dirname, '../../..');
const modelsDir = join(root, 'models');
const photosDir = resolve(root, '../shared/data/clothing-small/train');

function firstPhotos(n: number): string[] {
  if (!existsSync(photosDir)) return [];
  return readdirSync(photosDir)
    .sort()
    .flatMap((cls) => readdirSync(join(photosDir, cls)).sort().slice(0, 1).map((f) => join(photosDir, cls, f)))
    .slice(0, n);
}

/** A real PNG whose header claims `size`×`size` pixels (IHDR patched, CRC fixed): a decompression bomb's header. */
async function bombPng(size: number): Promise<Buffer> {
  const png = Buffer.from(await sharp({ create: { width: 8, height: 8, channels: 3, background: { r: 1, g: 2, b: 3 } } }).png().toBuffer());
  png.writeUInt32BE(size, 16);
  png.writeUInt32BE(size, 20);
  png.writeUInt32BE(crc32(png.subarray(12, 29)) >>> 0, 29);
  return png;
}

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
    await createTopics([ia, `${ia}.dlq`, ve], 2);
    await producer.connect();
    await consumer.connect();
    await consumer.subscribe({ topics: [ve, `${ia}.dlq`], fromBeginning: true });
    await consumer.run({ eachMessage: ({ topic, message }) => Promise.resolve(void received.get(topic)?.push(message)) });
    server = createServer((req, res) => {
      if (req.url === '/slow.jpg') return void setTimeout(() => res.end('late'), 5_000).unref();
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

  it('extracts good images, dead-letters each bad one with its reason, passes a tombstone through', async () => {
    const file = (name: string) => join(dir, name);
    const gradient = await sharp({ create: { width: 300, height: 200, channels: 3, background: { r: 200, g: 40, b: 40 } } })
      .composite([{ input: { create: { width: 100, height: 200, channels: 3, background: { r: 20, g: 20, b: 220 } } }, left: 0, top: 0 }])
      .jpeg()
      .toBuffer();
    await fs.writeFile(file('red-blue.jpg'), gradient);
    await fs.writeFile(file('grey.png'), await sharp({ create: { width: 64, height: 96, channels: 4, background: { r: 128, g: 128, b: 128, alpha: 1 } } }).png().toBuffer());
    await fs.writeFile(file('truncated.jpg'), gradient.subarray(0, Math.floor(gradient.length / 2)));
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
      ['b-http-timeout', `${http}/slow.jpg`, 'IMAGE_UNREACHABLE'],
      ['b-scheme', 's3://bucket/key.jpg', 'UNSUPPORTED_SCHEME'],
    ];
    const uri = (path: string) => (path.startsWith('/') ? pathToFileURL(path).href : path);

    extractor = await startExtractor(
      loadConfig(extractorConfigSchema, {
        KAFKA_BROKERS: stack.brokers.join(','),
        KAFKA_GROUP_ID: uniqueName('it-ex-g'),
        KAFKA_RETRY_PROFILE: 'test',
        KAFKA_MAX_WAIT_MS: '100',
        SCHEMA_REGISTRY_URL: stack.registryUrl,
        MODEL_DIR: modelsDir,
        MODEL_INTRA_OP_THREADS: '2',
        EXTRACTOR_MAX_BATCH_SIZE: '8',
        EXTRACTOR_FETCH_TIMEOUT_MS: '300',
        EXTRACTOR_FETCH_ATTEMPTS: '2',
        EXTRACTOR_FETCH_BACKOFF_MS: '10',
        EXTRACTOR_TOPIC_IMAGE_ARRIVED: ia,
        EXTRACTOR_TOPIC_VECTOR_EXTRACTED: ve,
      }),
      createLogger('extractor-it'),
    );
    const started = Date.now();
    const contract = imageArrivedContract.onTopic(ia);
    await producer.sendBatch(contract, [
      ...[...goods, ...bads].map(([imageId, path]) => ({ key: imageId, value: sampleImageArrived({ imageId, uri: uri(path), bloggerId: 'blogger-1' }) })),
      { key: 'g-grey', value: null },
    ]);
    await producer.sendRaw(ia, [{ key: 'b-not-avro', value: Buffer.from('not avro at all') }]);
    const expectedVectors = goods.length + 1;
    await waitFor(() => (received.get(ve)?.length ?? 0) >= expectedVectors && (received.get(`${ia}.dlq`)?.length ?? 0) >= bads.length + 1, {
      timeoutMs: 180_000,
      what: `${expectedVectors} vector-extracted records and ${bads.length} dead letters`,
    });
    const seconds = (Date.now() - started) / 1000;
    process.stdout.write(`extractor: ${goods.length + bads.length + 1} records in ${seconds.toFixed(2)} s (${((goods.length + bads.length) / seconds).toFixed(1)} images/s, incl. produce + consumer join)\n`);

    // At-least-once: a redelivery may repeat a record (identical bytes); compare distinct keys.
    const outputs = received.get(ve) ?? [];
    const tombstones = [...new Set(outputs.filter((m) => m.value === null).map((m) => m.key?.toString()))];
    expect(tombstones).toEqual(['g-grey']);
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
    expect([...vectors.keys()].sort()).toEqual(goods.map(([id]) => id).sort());
    expect(vectors.get('g-red-blue')?.equals(vectors.get('g-red-blue-again') as Buffer)).toBe(true);
    expect(vectors.get('g-red-blue')?.equals(vectors.get('g-grey') as Buffer)).toBe(false);

    const dlq = deadLetterContractFor(ia).onTopic(`${ia}.dlq`);
    const letters = await Promise.all((received.get(`${ia}.dlq`) ?? []).map(async (m) => (await codec.decode(m.value as Buffer, dlq)).value));
    expect(letters.map((l) => [l.key?.toString(), l.errorClass, l.stage]).sort()).toEqual(
      [...bads.map(([id, , code]) => [id, code, 'extractor']), ['b-not-avro', 'WIRE_FORMAT_INVALID', 'extractor']].sort(),
    );
    expect(letters.find((l) => l.key?.toString() === 'b-http-timeout')).toMatchObject({ retriable: true, attempts: 4 }); // test retry profile: 4 attempts
  });
});
