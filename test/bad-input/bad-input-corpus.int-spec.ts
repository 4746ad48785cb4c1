/** @jest-environment ./libs/model/src/testing/onnx-jest.environment.js */
/**
 * The bad-input corpus (test/fixtures/bad/corpus.json) driven through the real
 * components that must reject it, each a built app run as a child process on
 * unique topics, groups, indices and data dirs:
 * - extractor: image-arrived events pointing at corrupt, empty, non-image and
 *   bomb files, a refused, a 404 and a never-answering URL, plus raw
 *   non-Avro / wrong-magic / unknown-schema-id values;
 * - dedupe: vector-extracted raw bytes and vectors of the wrong dimension or with NaN;
 * - index-writer: the same on vector-cleaned;
 * - ingest, catalogue and analytics HTTP: oversized, non-JSON, malformed and
 *   invalid requests and malformed query parameters;
 * - search HTTP (a real search API over a real index-writer, the tiny test
 *   model for image queries): oversized uploads and JSON, wrong content
 *   types, non-images, pixel bombs, malformed k / ef / cursor / filters,
 *   vectors of the wrong dimension, with NaN, infinite or all zero.
 * Each stream case must end as exactly one dead letter on `<input>.dlq` with
 * the expected errorClass (and reason substring); each HTTP case as its 4xx
 * with the reason in the body. A good record sent after the bad ones must
 * still come out, so the stream goes on. Needs `npm run build` and the default model.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Kafka, logLevel, type Consumer, type KafkaMessage } from 'kafkajs';
import sharp from 'sharp';
import { AvroProducer } from '@stylestream/kafka';
import { buildDefaultModel } from '@stylestream/model';
import {
  SchemaRegistryGateway,
  deadLetterContractFor,
  imageArrivedContract,
  sampleImageArrived,
  sampleVectorCleaned,
  sampleVectorExtracted,
  vectorCleanedContract,
  vectorExtractedContract,
  vectorToBytes,
} from '@stylestream/schemas';
import { createTopics, stack, uniqueName, waitFor } from '@stylestream/test-support';
import { modelsDir } from '../../apps/extractor/src/testing/extractor-it.fixture';
import { IndexWriterClient } from '../../bench/support/index-writer.client';
import { deleteCatalogIndices, startApi, stopApis, type ApiUnderTest } from '../fuzz/api-process';
import { SEARCH_FIXTURE_DIM, startSearchApiFixture } from '../fuzz/search-api.fixture';

jest.setTimeout(420_000);

type Stage = 'extractor' | 'dedupe' | 'index-writer' | 'ingest-http' | 'catalog-http' | 'analytics-http' | 'search-http';
interface CorpusInput {
  readonly kind: 'image-file' | 'image-url' | 'raw' | 'vector' | 'http';
  readonly file?: string;
  readonly url?: 'refused' | 'never-answers' | 'not-found';
  readonly components?: number;
  readonly declaredDim?: number;
  readonly nan?: boolean;
  readonly method?: string;
  readonly path?: string;
  readonly contentType?: string;
  readonly body?: string;
  readonly bodyFile?: string;
  readonly oversized?: boolean;
  /** A JSON query vector padded to this many bytes. */
  readonly jsonOfBytes?: number;
  /** A multipart body: the part `image` (a corpus file, or `bytes` filler bytes) with its declared type, plus text fields. */
  readonly upload?: { readonly file?: string; readonly bytes?: number; readonly contentType: string; readonly fields?: Record<string, string> };
  readonly noApiKey?: boolean;
}
interface CorpusCase {
  readonly name: string;
  readonly stage: Stage;
  readonly input: CorpusInput;
  readonly expect: { readonly dlq?: string; readonly status?: number; readonly reason?: string };
}

const corpusDir = join(__dirname, '../fixtures/bad');
const corpus = (JSON.parse(readFileSync(join(corpusDir, 'corpus.json'), 'utf8')) as { cases: CorpusCase[] }).cases;
const casesOf = (stage: Stage): CorpusCase[] => corpus.filter((c) => c.stage === stage);
const DIM = 256;
const INGEST_MAX_BODY_BYTES = 4096;
const SEARCH_MAX_BYTES = 4096;

/** The request body of an HTTP case (FormData sets its own multipart content type). */
function httpBody(i: CorpusInput): string | Buffer | FormData | undefined {
  if (i.oversized === true) return JSON.stringify({ images: Array.from({ length: 200 }, (_, n) => ({ uri: `https://cdn.example.com/${n}.jpg`, source: 'street' })) });
  if (i.jsonOfBytes !== undefined) return JSON.stringify({ vector: Array.from({ length: SEARCH_FIXTURE_DIM }, () => 0.5), padding: 'x'.repeat(i.jsonOfBytes) });
  if (i.upload !== undefined) {
    const form = new FormData();
    for (const [name, value] of Object.entries(i.upload.fields ?? {})) form.append(name, value);
    const bytes = i.upload.file !== undefined ? readFileSync(join(corpusDir, i.upload.file)) : Buffer.alloc(i.upload.bytes ?? 0, 0xd8);
    form.append('image', new Blob([bytes], { type: i.upload.contentType }), i.upload.file ?? 'upload.jpg');
    return form;
  }
  return i.bodyFile !== undefined ? readFileSync(join(corpusDir, i.bodyFile)) : i.body;
}

/** A unit vector of `n` components (the first one 1), or with NaN in the middle. */
function vectorFor(input: CorpusInput): Buffer {
  const v = new Float32Array(input.components ?? DIM);
  v[0] = 1;
  if (input.nan === true) v[Math.floor(v.length / 2)] = Number.NaN;
  return vectorToBytes(v);
}

/** Collects the records of some topics from the beginning (a fresh group). */
class TopicCollector {
  readonly received = new Map<string, KafkaMessage[]>();
  private readonly consumer: Consumer;
  constructor(kafka: Kafka) {
    this.consumer = kafka.consumer({ groupId: uniqueName('bad-input-reader'), maxWaitTimeInMs: 100 });
  }
  async start(topics: string[]): Promise<void> {
    for (const t of topics) this.received.set(t, []);
    await this.consumer.connect();
    await this.consumer.subscribe({ topics, fromBeginning: true });
    await this.consumer.run({ eachMessage: ({ topic, message }) => Promise.resolve(void this.received.get(topic)?.push(message)) });
  }
  of(topic: string): KafkaMessage[] {
    return this.received.get(topic) ?? [];
  }
  stop(): Promise<void> {
    return this.consumer.disconnect();
  }
}

describe('bad-input corpus', () => {
  const kafka = new Kafka({ brokers: stack.brokers, clientId: 'bad-input-it', logLevel: logLevel.NOTHING });
  const codec = SchemaRegistryGateway.connect({ url: stack.registryUrl });
  const producer = new AvroProducer(kafka, codec, { retries: 3 });
  const collector = new TopicCollector(kafka);
  const apis: ApiUnderTest[] = [];
  const ia = uniqueName('bad-ia');
  const ve = uniqueName('bad-ve');
  const vc = uniqueName('bad-vc');
  const iu = uniqueName('bad-iu');
  const ve2 = uniqueName('bad-ve2'); // the extractor's output, kept apart from the dedupe input fed here
  let slowServer: Server;
  let slowUrl: string;

  beforeAll(async () => {
    await createTopics([ia, `${ia}.dlq`, ve, `${ve}.dlq`, vc, `${vc}.dlq`, iu, ve2], 1);
    await producer.connect();
    await collector.start([`${ia}.dlq`, `${ve}.dlq`, `${vc}.dlq`, ve2, vc, iu]);
    slowServer = createServer((req, res) => {
      if (req.url === '/never-answers.jpg') return; // holds the connection, never answers
      res.writeHead(404).end();
    });
    await new Promise<void>((done) => slowServer.listen(0, '127.0.0.1', done));
    slowUrl = `http://127.0.0.1:${(slowServer.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await stopApis(apis);
    await collector.stop();
    await producer.disconnect();
    slowServer.closeAllConnections();
    await new Promise<void>((done) => slowServer.close(() => done()));
  });

  /** Waits for one dead letter per case (keyed by case name) on `<input>.dlq`, then compares class and reason. */
  async function expectDeadLetters(input: string, cases: CorpusCase[], app: ApiUnderTest): Promise<void> {
    const dlq = `${input}.dlq`;
    const contract = deadLetterContractFor(input).onTopic(dlq);
    const names = new Set(cases.map((c) => c.name));
    const letters = async () =>
      Promise.all(collector.of(dlq).map(async (m) => (await codec.decode(m.value as Buffer, contract)).value));
    await waitFor(async () => new Set((await letters()).map((l) => l.key?.toString()).filter((k) => k !== undefined && names.has(k))).size === names.size, {
      timeoutMs: 240_000,
      intervalMs: 500,
      what: `${names.size} dead letters on ${dlq}`,
    }).catch((err: unknown) => {
      throw new Error(`${err instanceof Error ? err.message : String(err)}\n${app.app.tail(20)}`);
    });
    const byKey = new Map((await letters()).map((l) => [l.key?.toString() ?? '', l]));
    const actual = cases.map((c) => {
      const letter = byKey.get(c.name);
      const reasonOk = c.expect.reason === undefined || (letter?.reason ?? '').includes(c.expect.reason);
      return [c.name, letter?.errorClass, reasonOk ? 'reason ok' : `reason: ${letter?.reason}`];
    });
    expect(actual).toEqual(cases.map((c) => [c.name, c.expect.dlq, 'reason ok']));
  }

  it('extractor: every bad image, URL and wire value ends as a dead letter with its class; a good image after them is extracted', async () => {
    buildDefaultModel(modelsDir);
    const extractor = await startApi(
      'extractor',
      (port) => ({
        KAFKA_GROUP_ID: uniqueName('bad-ex'),
        MODEL_DIR: modelsDir,
        MODEL_INTRA_OP_THREADS: '1',
        EXTRACTOR_MAX_BATCH_SIZE: '4',
        EXTRACTOR_HTTP_PORT: String(port),
        EXTRACTOR_TOPIC_IMAGE_ARRIVED: ia,
        EXTRACTOR_TOPIC_VECTOR_EXTRACTED: ve2,
        EXTRACTOR_FETCH_TIMEOUT_MS: '300',
        EXTRACTOR_FETCH_ATTEMPTS: '2',
        EXTRACTOR_FETCH_BACKOFF_MS: '10',
      }),
      '/readyz',
    );
    apis.push(extractor);
    const cases = casesOf('extractor');
    const urlOf = (input: CorpusInput): string => {
      if (input.kind === 'image-file') return pathToFileURL(join(corpusDir, input.file ?? '')).href;
      if (input.url === 'refused') return 'http://127.0.0.1:9/unreachable.jpg';
      return `${slowUrl}/${input.url === 'never-answers' ? 'never-answers' : 'gone'}.jpg`;
    };
    const contract = imageArrivedContract.onTopic(ia);
    for (const c of cases) {
      if (c.input.kind === 'raw') await producer.sendRaw(ia, [{ key: c.name, value: readFileSync(join(corpusDir, c.input.file ?? '')) }]);
      else await producer.sendBatch(contract, [{ key: c.name, value: sampleImageArrived({ imageId: c.name, uri: urlOf(c.input) }) }]);
    }
    const goodFile = join(extractor.workDir, 'good.png');
    await sharp({ create: { width: 64, height: 48, channels: 3, background: { r: 30, g: 140, b: 60 } } }).png().toFile(goodFile);
    await producer.sendBatch(contract, [{ key: 'good-after-bad', value: sampleImageArrived({ imageId: 'good-after-bad', uri: pathToFileURL(goodFile).href }) }]);
    await expectDeadLetters(ia, cases, extractor);
    await waitFor(() => collector.of(ve2).some((m) => m.key?.toString() === 'good-after-bad'), { timeoutMs: 120_000, what: 'the good image on vector-extracted' });
  });

  it('dedupe: raw bytes, wrong dimensions and NaN vectors on vector-extracted end as dead letters; a good vector after them is judged', async () => {
    const dedupe = await startApi(
      'dedupe',
      (port) => ({
        KAFKA_GROUP_ID: uniqueName('bad-dd'),
        DEDUPE_STATE_TOPIC: uniqueName('bad-dd-state'),
        DEDUPE_STATE_PARTITIONS: '1',
        DEDUPE_TOPIC_VECTOR_EXTRACTED: ve,
        DEDUPE_TOPIC_VECTOR_CLEANED: vc,
        DEDUPE_HTTP_PORT: String(port),
        DEDUPE_MODELS: `1.0.0=${DIM}`,
      }),
      '/readyz',
    );
    apis.push(dedupe);
    const cases = casesOf('dedupe');
    const contract = vectorExtractedContract.onTopic(ve);
    for (const c of cases) {
      if (c.input.kind === 'raw') await producer.sendRaw(ve, [{ key: c.name, value: readFileSync(join(corpusDir, c.input.file ?? '')) }]);
      else await producer.sendBatch(contract, [{ key: c.name, value: sampleVectorExtracted({ imageId: c.name, modelVersion: '1.0.0', dim: c.input.declaredDim ?? DIM, vector: vectorFor(c.input) }) }]);
    }
    await producer.sendBatch(contract, [{ key: 'good-after-bad', value: sampleVectorExtracted({ imageId: 'good-after-bad', modelVersion: '1.0.0', dim: DIM, vector: vectorFor({ kind: 'vector' }) }) }]);
    await expectDeadLetters(ve, cases, dedupe);
    await waitFor(() => collector.of(vc).some((m) => m.key?.toString() === 'good-after-bad'), { timeoutMs: 60_000, what: 'the good vector on vector-cleaned' });
  });

  it('index-writer: raw bytes, wrong dimensions and NaN vectors on vector-cleaned end as dead letters; a good vector after them is indexed', async () => {
    const writer = await startApi(
      'index-writer',
      (port, dir) => ({
        KAFKA_GROUP_ID: uniqueName('bad-iw'),
        INDEX_DATA_DIR: join(dir, 'index'),
        INDEX_DIM: String(DIM),
        INDEX_HTTP_PORT: String(port),
        INDEX_TOPIC_VECTOR_CLEANED: vc,
        INDEX_TOPIC_INDEX_UPDATED: iu,
      }),
      '/readyz',
    );
    apis.push(writer);
    const cases = casesOf('index-writer');
    const contract = vectorCleanedContract.onTopic(vc);
    for (const c of cases) {
      if (c.input.kind === 'raw') await producer.sendRaw(vc, [{ key: c.name, value: readFileSync(join(corpusDir, c.input.file ?? '')) }]);
      else await producer.sendBatch(contract, [{ key: c.name, value: sampleVectorCleaned({ imageId: c.name, status: 'UNIQUE', duplicateOf: null, similarity: null, modelVersion: '1.0.0', dim: c.input.declaredDim ?? DIM, vector: vectorFor(c.input) }) }]);
    }
    await producer.sendBatch(contract, [{ key: 'good-after-bad', value: sampleVectorCleaned({ imageId: 'good-after-bad', status: 'UNIQUE', duplicateOf: null, similarity: null, modelVersion: '1.0.0', dim: DIM, vector: vectorFor({ kind: 'vector' }) }) }]);
    await expectDeadLetters(vc, cases, writer);
    const client = new IndexWriterClient(writer.baseUrl);
    expect(await waitFor(async () => (await client.ids()).length > 0 && client.ids(), { timeoutMs: 60_000, what: 'the good vector in the index' })).toEqual(['good-after-bad']);
  });

  /** Sends each HTTP case and compares [name, status, reason found]. */
  async function expectHttpRejections(api: ApiUnderTest, cases: CorpusCase[], apiKey?: string): Promise<void> {
    const actual = [];
    for (const c of cases) {
      const i = c.input;
      const headers: Record<string, string> = {};
      if (apiKey !== undefined && i.noApiKey !== true) headers['x-api-key'] = apiKey;
      if (i.contentType !== undefined) headers['content-type'] = i.contentType;
      const body = httpBody(i);
      if (i.oversized === true) expect(Buffer.byteLength(body as string)).toBeGreaterThan(INGEST_MAX_BODY_BYTES);
      if (i.jsonOfBytes !== undefined || i.upload?.bytes !== undefined) expect(i.jsonOfBytes ?? i.upload?.bytes).toBeGreaterThan(SEARCH_MAX_BYTES);
      const res = await fetch(`${api.baseUrl}${i.path ?? '/'}`, { method: i.method ?? 'GET', headers, body });
      const text = await res.text();
      actual.push([c.name, res.status, text.includes(c.expect.reason ?? '') ? 'reason ok' : `body: ${text.slice(0, 300)}`]);
    }
    expect(actual).toEqual(cases.map((c) => [c.name, c.expect.status, 'reason ok']));
    expect(api.app.running).toBe(true);
    expect((await fetch(`${api.baseUrl}/healthz`)).status).toBe(200);
  }

  it('ingest HTTP: oversized, non-JSON, malformed and invalid requests get their 4xx with a reason', async () => {
    const apiKey = `bad-${uniqueName('key')}`;
    const ingest = await startApi('ingest', (port) => ({ PORT: String(port), INGEST_TOPIC: uniqueName('bad-ingest-ia'), INGEST_API_KEYS: apiKey, INGEST_MAX_BODY_BYTES: String(INGEST_MAX_BODY_BYTES) }));
    apis.push(ingest);
    await expectHttpRejections(ingest, casesOf('ingest-http'), apiKey);
  });

  it('catalogue HTTP: malformed query parameters get 400 naming the parameter', async () => {
    const prefix = uniqueName('bad-catalog');
    const topics = { CATALOG_TOPIC_IMAGE_ARRIVED: `${prefix}-ia`, CATALOG_TOPIC_VECTOR_CLEANED: `${prefix}-vc`, CATALOG_TOPIC_INDEX_UPDATED: `${prefix}-iu` };
    await createTopics(Object.values(topics));
    try {
      const catalog = await startApi('catalog', (port) => ({ PORT: String(port), KAFKA_GROUP_ID: prefix, CATALOG_ALIAS: prefix, CATALOG_SHARDS_INDEX: `${prefix}-shards`, ...topics }));
      apis.push(catalog);
      await expectHttpRejections(catalog, casesOf('catalog-http'));
    } finally {
      await deleteCatalogIndices(prefix);
    }
  });

  it('analytics HTTP: malformed query parameters get 400 naming the parameter', async () => {
    const analytics = await startApi('analytics', (port, dir) => ({ PORT: String(port), CLICKHOUSE_DATA_DIR: join(dir, 'chdb'), ANALYTICS_SINK_ENABLED: 'false' }));
    apis.push(analytics);
    await expectHttpRejections(analytics, casesOf('analytics-http'));
  });

  it('search HTTP: oversized, mistyped, undecodable and too-large images, malformed k/ef/cursor/filters and bad vectors get their 4xx with a reason; a good query after them answers', async () => {
    const search = await startSearchApiFixture({ SEARCH_UPLOAD_MAX_BYTES: String(SEARCH_MAX_BYTES), SEARCH_MAX_JSON_BYTES: String(SEARCH_MAX_BYTES) });
    try {
      await expectHttpRejections(search.api, casesOf('search-http'), search.apiKey);
      const headers = { 'x-api-key': search.apiKey };
      const byVector = await fetch(`${search.api.baseUrl}/v1/search/vector`, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body: JSON.stringify({ vector: Array.from({ length: SEARCH_FIXTURE_DIM }, (_, j) => j + 1), k: 3 }),
      });
      const form = new FormData();
      const png = await sharp({ create: { width: 64, height: 48, channels: 3, background: { r: 30, g: 140, b: 60 } } }).png().toBuffer();
      form.append('image', new Blob([png], { type: 'image/png' }), 'good.png');
      form.append('k', '3');
      const byImage = await fetch(`${search.api.baseUrl}/v1/search/image`, { method: 'POST', headers, body: form });
      const answers = [await byVector.json(), await byImage.json()] as { hits?: unknown[] }[];
      expect([byVector.status, byImage.status, answers.map((a) => a.hits?.length)]).toEqual([200, 200, [3, 3]]);
    } finally {
      await search.stop();
    }
  });

  it('the manifest names only stages this test drives, and every file it names exists', () => {
    const stages: readonly Stage[] = ['extractor', 'dedupe', 'index-writer', 'ingest-http', 'catalog-http', 'analytics-http', 'search-http'];
    expect(corpus.filter((c) => !stages.includes(c.stage)).map((c) => c.name)).toEqual([]);
    const named = corpus.flatMap((c) => [c.input.kind === 'image-file' && c.name !== 'missing-file' ? c.input.file : undefined, c.input.kind === 'raw' ? c.input.file : undefined, c.input.bodyFile, c.input.upload?.file]);
    for (const f of named.filter((f): f is string => f !== undefined)) expect([f, readFileSync(join(corpusDir, f)).length >= 0]).toEqual([f, true]);
  });
});
