import pino from 'pino';
import sharp from 'sharp';
import { CatalogDocState, ElasticsearchCandidateSource, ElasticsearchNearDuplicateSource, createElasticsearchClient } from '@stylestream/catalog';
import { SharpImageDecoder, type ResizeTarget } from '@stylestream/model';
import { imageHashes, type ImageHashes } from '@stylestream/near-duplicate';
import { imageArrivedContract, sampleImageArrived, sampleVectorCleaned, vectorCleanedContract, type DedupStatus } from '@stylestream/schemas';
import { waitFor } from '@stylestream/test-support';
import { transformImage } from '../../../bench/support/image-transforms';
import { CatalogTestHarness } from '../../catalog/test/catalog-test.harness';
import { NearDuplicateSearch } from '../src/domain/near-duplicate.search';
import { OwnerDirectory } from '../src/domain/owner-directory';
import { SearchCursorCodec } from '../src/domain/search-cursor.codec';
import { noSearchMetrics } from '../src/domain/search.metrics';
import type { VectorQuery } from '../src/domain/search-query';
import { VectorSearchService } from '../src/domain/vector-search.service';
import { FakeShardOwners } from './fake-shard-owners';

/**
 * Real: Kafka, the schema registry, Elasticsearch and the catalogue sink (in-process,
 * unique topics and alias): image-arrived and vector-cleaned records carrying the hashes
 * the extractor computes (same decoder, same lib) reach the catalogue documents; the
 * band lookup reads them back. Fake: the shard owners (in-memory exact scoring), so the
 * vector rank of the original can be set below other images'.
 */
jest.setTimeout(120_000);

const TARGET: ResizeTarget = { width: 224, height: 224, resize: 'stretch', interpolation: 'bilinear' };
const decoder = new SharpImageDecoder(40_000_000);

/** A smooth random picture (a seeded 12×9 grid of colours, upscaled): distinct seeds hash far apart. */
async function picture(seed: number): Promise<Buffer> {
  let s = seed >>> 0;
  const rnd = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296;
  const cells = Buffer.from(Array.from({ length: 12 * 9 * 3 }, () => Math.floor(rnd() * 256)));
  return sharp(cells, { raw: { width: 12, height: 9, channels: 3 } }).resize(480, 360, { kernel: 'cubic' }).jpeg({ quality: 92 }).toBuffer();
}

async function hashesOf(bytes: Buffer): Promise<ImageHashes> {
  const image = await decoder.prepare(bytes, TARGET);
  return imageHashes(image.rgb, image.width, image.height);
}

const angle = (deg: number) => [Math.cos((deg * Math.PI) / 180), Math.sin((deg * Math.PI) / 180)];

describe('near-duplicate lookup over the real catalogue', () => {
  const h = new CatalogTestHarness();
  const owners = new FakeShardOwners();
  const thresholds = { rule: 'tiered' as const, maxFineDistance: 20, maxHammingDistance: 2, minCosineWithPhash: 0.5, minCosine: 1 };
  // The original ranks 5th by vector for the query [1, 0]; four other pictures are closer.
  const images: { id: string; seed: number; deg: number; status: DedupStatus }[] = [
    { id: 'orig', seed: 1, deg: 40, status: 'UNIQUE' },
    { id: 'other-1', seed: 2, deg: 5, status: 'UNIQUE' },
    { id: 'other-2', seed: 3, deg: 10, status: 'UNIQUE' },
    { id: 'other-3', seed: 4, deg: 15, status: 'UNIQUE' },
    { id: 'other-4', seed: 5, deg: 20, status: 'UNIQUE' },
    // A copy dedupe folded into `orig`: not indexed, never a candidate.
    { id: 'folded', seed: 1, deg: 41, status: 'NEAR_DUPLICATE' },
  ];
  let ranking: VectorSearchService;
  let cursors: SearchCursorCodec;

  beforeAll(async () => {
    await h.setUp(1);
    await h.startSink();
    const ia = imageArrivedContract.onTopic(h.topics.imageArrived);
    const vc = vectorCleanedContract.onTopic(h.topics.vectorCleaned);
    for (const image of images) {
      const hashes = await hashesOf(await picture(image.seed));
      await h.producer.send(ia, image.id, sampleImageArrived({ imageId: image.id, uri: `https://cdn.example/${image.id}.jpg` }));
      await h.producer.send(vc, image.id, sampleVectorCleaned({ imageId: image.id, status: image.status, duplicateOf: image.status === 'UNIQUE' ? null : 'orig', similarity: null, perceptualHash: hashes.perceptualHash, cropHashes: [...(hashes.cropHashes ?? [])], fineHashes: [...(hashes.fineHashes ?? [])] }));
    }
    await waitFor(async () => (await Promise.all(images.map((i) => h.doc(i.id)))).every((d) => d?.doc.nearHashes !== undefined && d.doc.state === CatalogDocState.LIVE), { timeoutMs: 60_000, what: 'catalogue documents with hashes' });
    await h.es.indices.refresh({ index: h.alias });
    owners.add('http://owner', Object.fromEntries(images.filter((i) => i.status === 'UNIQUE').map((i) => [i.id, angle(i.deg)])));
    const directory = new OwnerDirectory(['http://owner'], owners, { refreshMs: 60_000, timeoutMs: 1_000, logger: pino({ level: 'silent' }) });
    cursors = new SearchCursorCodec('int-test-secret-0001');
    ranking = new VectorSearchService({
      client: owners,
      directory,
      catalog: new ElasticsearchCandidateSource(h.es, h.alias),
      cursors,
      metrics: noSearchMetrics,
      options: { owners: ['http://owner'], deadlineMs: 1_000, catalogTimeoutMs: 5_000, postFilterRounds: 2, strategy: { candidateMax: 1_000, hitCost: 4, overFetch: 2, minFetch: 10, maxDepth: 1_000 } },
    });
  });

  afterAll(() => h.close());

  const query = (over: Partial<VectorQuery> = {}): VectorQuery => ({ vector: angle(0), k: 3, filter: { labels: {} }, excludeIds: [], offset: 0, modelVersion: '1.0.0', ...over });

  it('a cropped, re-encoded copy gets its original at rank 1 although the vector ranks it 5th', async () => {
    const copy = await transformImage(await picture(1), 'crop-10');
    const search = new NearDuplicateSearch({ ranking, source: new ElasticsearchNearDuplicateSource(h.es, h.alias), cursors, options: { thresholds, maxCandidates: 100, catalogTimeoutMs: 5_000 } });
    const vectorOnly = await ranking.search(query());
    expect(vectorOnly.hits.map((x) => x.id)).toEqual(['other-1', 'other-2', 'other-3']);

    const result = await search.search(query(), await hashesOf(copy));
    expect(result.hits.map((x) => x.id)).toEqual(['orig', 'other-1', 'other-2']);
    expect(result.hits[0]?.nearDuplicate?.hashBits).toBe(256);
    expect(result.hits[0]?.nearDuplicate?.hashDistance).toBeLessThanOrEqual(20);
    expect(result.hits[0]?.facts?.uri).toBe('https://cdn.example/orig.jpg');
    expect(result.hits.slice(1).every((x) => x.nearDuplicate === undefined)).toBe(true);
    expect(result.nearDuplicates).toMatchObject({ status: 'checked', promoted: 1 });
    expect(result.nearDuplicates?.candidates).toBeGreaterThanOrEqual(1);

    const next = await ranking.search(cursors.decode(result.nextCursor ?? ''));
    expect(next.hits.map((x) => x.id)).toEqual(['other-3', 'other-4']);
  });

  it('a filter the original does not match keeps it out; other pictures are never promoted', async () => {
    const search = new NearDuplicateSearch({ ranking, source: new ElasticsearchNearDuplicateSource(h.es, h.alias), cursors, options: { thresholds, maxCandidates: 100, catalogTimeoutMs: 5_000 } });
    const copy = await hashesOf(await transformImage(await picture(1), 'resize-50'));
    const filtered = await search.search(query({ filter: { labels: {}, bloggerIds: ['nobody'] } }), copy);
    expect(filtered.hits.some((x) => x.nearDuplicate !== undefined)).toBe(false);
    const unrelated = await search.search(query(), await hashesOf(await picture(99)));
    expect(unrelated.hits.some((x) => x.nearDuplicate !== undefined)).toBe(false);
    expect(unrelated.nearDuplicates?.status).toBe('checked');
  });

  it('answers with the vector ranking, flagged, when Elasticsearch cannot be reached', async () => {
    const dead = createElasticsearchClient({ node: 'http://127.0.0.1:9', requestTimeoutMs: 1_000, maxRetries: 0 });
    try {
      const search = new NearDuplicateSearch({ ranking, source: new ElasticsearchNearDuplicateSource(dead, h.alias), cursors, options: { thresholds, maxCandidates: 100, catalogTimeoutMs: 2_000 } });
      const result = await search.search(query(), await hashesOf(await transformImage(await picture(1), 'crop-10')));
      expect(result.hits.map((x) => x.id)).toEqual(['other-1', 'other-2', 'other-3']);
      expect(result.nearDuplicates).toMatchObject({ status: 'unavailable', promoted: 0 });
    } finally {
      await dead.close();
    }
  });
});
