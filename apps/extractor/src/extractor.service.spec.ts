import pino from 'pino';
import { InvalidInputError } from '@stylestream/errors';
import type { ConsumedMessage, OutgoingRecord } from '@stylestream/kafka';
import type { ModelManifest } from '@stylestream/model';
import { bytesToVector, sampleImageArrived, type ImageArrived, type VectorExtracted } from '@stylestream/schemas';
import { ImageUnreachableError } from '@stylestream/storage';
import type { ExtractorImageOutcome } from './extractor.metrics';
import { ExtractorService, type ImageEmbedder } from './extractor.service';

const W = 4;
const manifest = {
  id: 'fake-model',
  version: '7.0.0',
  input: { name: 'input', layout: 'NHWC', width: W, height: W, channels: 3, colourOrder: 'RGB', resize: 'stretch', interpolation: 'bilinear', pixelScale: 1, mean: [0, 0, 0], std: [1, 1, 1] },
} as unknown as ModelManifest;

const base = { topic: 'ia', partition: 0, headers: {}, timestamp: '0', attempt: 1 };
const msg = (offset: number, imageId: string, uri: string | null): ConsumedMessage<ImageArrived> =>
  uri === null
    ? { ...base, offset: String(offset), key: imageId, tombstone: true, value: null }
    : { ...base, offset: String(offset), key: imageId, tombstone: false, value: sampleImageArrived({ imageId, uri, bloggerId: 'b1' }) };

describe('ExtractorService', () => {
  const published: OutgoingRecord<VectorExtracted>[][] = [];
  const counted: ExtractorImageOutcome[] = [];
  const embedCalls: number[] = [];
  /** The fake model's vector is the image's first pixel value, L2-normalised over dim 2. */
  const embedder: ImageEmbedder = {
    manifest,
    inputSize: W * W * 3,
    dim: 2,
    embed: (batch, n) => {
      embedCalls.push(n);
      const out = new Float32Array(n * 2);
      for (let i = 0; i < n; i++) out.set([0.6, 0.8].map((v) => v * Math.sign(batch[i * W * W * 3] + 1)), i * 2);
      return Promise.resolve(out);
    },
  };
  const service = new ExtractorService({
    fetcher: {
      fetch: (uri) => {
        if (uri.endsWith('404')) return Promise.reject(new InvalidInputError('gone', 'IMAGE_NOT_FOUND'));
        if (uri.endsWith('slow')) return Promise.reject(new ImageUnreachableError(uri, 'timed out'));
        return Promise.resolve(Buffer.from(uri));
      },
    },
    decoder: {
      prepare: (bytes) =>
        bytes.toString().endsWith('.txt')
          ? Promise.reject(new InvalidInputError('not an image', 'IMAGE_FORMAT_UNSUPPORTED'))
          : Promise.resolve({ rgb: new Uint8Array(W * W * 3).fill(bytes.length), width: W, height: W, sourceWidth: 640, sourceHeight: 480 }),
    },
    embedder,
    sink: { publish: (records) => Promise.resolve(void published.push([...records])) },
    metrics: { countImage: (o) => void counted.push(o), observeInference: () => undefined, observeStage: () => undefined },
    logger: pino({ level: 'silent' }),
    prepareConcurrency: 2,
    // a generous wait: every image of a call reaches the batcher long before it, so each call is one model call
    batching: { maxBatchSize: 8, maxWaitMs: 20 },
    now: () => 1_700_000_000_000,
  });

  it('fails bad images with their own error, passes tombstones in order, stops after the first retriable failure', async () => {
    const outcomes = await service.extractBatch([
      msg(0, 'a', 'file:///a.jpg'),
      msg(1, 'b', 'http://x/404'),
      msg(2, 'c', null),
      msg(3, 'd', 'file:///d.txt'),
      msg(4, 'e', 'http://x/slow'),
      msg(5, 'f', 'file:///f.jpg'),
    ]);
    expect(outcomes.map((o) => (o.kind === 'failed' ? (o.error as { code: string }).code : o.kind))).toEqual([
      'processed',
      'IMAGE_NOT_FOUND',
      'processed',
      'IMAGE_FORMAT_UNSUPPORTED',
      'IMAGE_UNREACHABLE',
      'DEFERRED_BEHIND_RETRY', // the consumer stops at the retry and redelivers from there
    ]);
    expect(embedCalls).toEqual([2]); // f was embedded too (same model call) but is not published before e's retry
    expect(counted).toEqual(['extracted', 'failed', 'skipped', 'failed', 'failed']);
    const [records] = published;
    expect(records.map((r) => [r.key, r.value === null])).toEqual([
      ['a', false],
      ['c', true],
    ]);
    const a = records[0].value as VectorExtracted;
    expect(a).toMatchObject({ imageId: 'a', uri: 'file:///a.jpg', bloggerId: 'b1', modelId: 'fake-model', modelVersion: '7.0.0', dim: 2, width: 640, height: 480 });
    expect(Array.from(bytesToVector(a.vector)).map((v) => +v.toFixed(3))).toEqual([0.6, 0.8]);
    expect(a.contentSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(a.perceptualHash).toMatch(/^[0-9a-f]{16}$/);
  });

  it('embeds every good image of a batch in one call', async () => {
    embedCalls.length = 0;
    const outcomes = await service.extractBatch([msg(0, 'a', 'file:///a.jpg'), msg(1, 'b', 'http://x/404'), msg(2, 'f', 'file:///f.jpg')]);
    expect(outcomes.map((o) => o.kind)).toEqual(['processed', 'failed', 'processed']);
    expect(embedCalls).toEqual([2]);
  });

  it('gives the same record for the same input (idempotent per image id and model version)', async () => {
    published.length = 0;
    await service.extractBatch([msg(0, 'a', 'file:///a.jpg')]);
    await service.extractBatch([msg(7, 'a', 'file:///a.jpg')]);
    expect(published[0]).toEqual(published[1]);
  });
});
