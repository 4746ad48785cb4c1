import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import type { App } from 'supertest/types';
import { DEFAULT_HNSW_PARAMS, PartitionShardsHost, type IndexOp, type ShardHostOptions } from '@stylestream/index';
import { createLogger } from '@stylestream/logging';
import { IndexWriterMetrics } from '../index-writer.metrics';
import { PartitionOwnership } from '../partition-ownership';
import { ShardQueryService } from '../query/shard-query.service';
import { createIndexWriterHttpApp } from './index-writer-http.app';
import { KnnLimits } from './knn.controller';

const DIM = 4;
const unit = (v: number[]): Float32Array => {
  const n = Math.hypot(...v);
  return Float32Array.from(v.map((x) => x / n));
};

interface KnnBody {
  hits: { id: string; score: number }[];
  tookMs: number;
}
interface ErrorBody {
  error: string;
  reason: string;
}

describe('index-writer HTTP app (in-process shards)', () => {
  let dir: string;
  let app: INestApplication;
  let http: App;
  let ownership: PartitionOwnership;
  let unwatch: () => void;
  let host: PartitionShardsHost;

  beforeAll(async () => {
    dir = await fs.mkdtemp(join(tmpdir(), 'iw-http-'));
    const options: ShardHostOptions = {
      dataDir: dir,
      topic: 'vc',
      modelVersion: '1.0.0',
      params: { ...DEFAULT_HNSW_PARAMS, dim: DIM },
      capacity: 100,
      snapshotEveryOps: 1000,
      snapshotEveryMs: 60_000,
      rebuildDeletedRatio: 0.2,
      exactFilterMax: 2,
    };
    host = new PartitionShardsHost(options);
    const logger = createLogger('iw-http-test', 'silent');
    ownership = new PartitionOwnership(host, options, logger);
    const metrics = new IndexWriterMetrics();
    unwatch = metrics.watch({ owner: 'test-owner', stats: () => host.stats() });
    const queries = new ShardQueryService({ host, ownership, owner: () => 'test-owner', modelVersion: '1.0.0', exactFilterMax: 2, metrics });
    app = await createIndexWriterHttpApp({ queries, ownership, limits: new KnnLimits(DIM, 50), maxBodyBytes: 4096, logger });
    await app.init();
    http = app.getHttpServer() as App;
  });
  afterAll(async () => {
    unwatch();
    await app.close();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('is live at once, ready only after the join and the partition load', async () => {
    await request(http).get('/healthz').expect(200, { status: 'ok' });
    const notReady = await request(http).get('/readyz').expect(503);
    expect(notReady.body).toMatchObject({ error: 'not_ready', reason: expect.stringContaining('not joined') as unknown });
    ownership.onJoin([{ topic: 'vc', partitions: [0] }]);
    await ownership.slot(0).loaded;
    await request(http).get('/readyz').expect(200, { status: 'ready', partitions: [0] });
    const ops: IndexOp[] = [
      [1, 0, 0, 0],
      [0.9, 0.1, 0, 0],
      [0, 1, 0, 0],
      [0, 0, 1, 0],
      [0.5, 0.5, 0.5, 0.5],
    ].map((v, i) => ({ kind: 'upsert', offset: i, imageId: `img-${i}`, vector: unit(v) }));
    // Written straight to the host: the consumer path has its own tests.
    await host.apply(0, ops, [], false);
  });

  it('POST /v1/knn returns hits best first with cosine scores', async () => {
    const res = await request(http).post('/v1/knn').send({ vector: [1, 0, 0, 0], k: 3 }).expect(200);
    expect(res.body).toMatchObject({ owner: 'test-owner', modelVersion: '1.0.0', shards: [{ shardId: '1.0.0-vc-0-s00000', count: 5 }] });
    const body = res.body as KnnBody;
    const hits = body.hits;
    expect(hits.map((h) => h.id)).toEqual(['img-0', 'img-1', 'img-4']);
    expect(hits[0]?.score).toBeCloseTo(1, 5);
    expect(typeof body.tookMs).toBe('number');
  });

  it('filterIds (exact and traversal) and excludeIds restrict the ids returned', async () => {
    const exact = await request(http).post('/v1/knn').send({ vector: [1, 0, 0, 0], k: 5, filterIds: ['img-2', 'img-3'] }).expect(200);
    expect((exact.body as KnnBody).hits.map((h) => h.id).sort()).toEqual(['img-2', 'img-3']);
    const traversal = await request(http).post('/v1/knn').send({ vector: [1, 0, 0, 0], k: 5, filterIds: ['img-2', 'img-3', 'img-4'], excludeIds: ['img-4'] }).expect(200);
    expect((traversal.body as KnnBody).hits.map((h) => h.id).sort()).toEqual(['img-2', 'img-3']);
  });

  it.each([
    [{ vector: [1, 0, 0], k: 3 }, 'vector'],
    [{ vector: [1, 0, 0, 0], k: 51 }, 'k'],
    [{ vector: [1, 0, 0, 0], k: 0 }, 'k'],
    [{ vector: [1, 0, 0, 0] }, 'k'],
    [{ vector: [0, 0, 0, 0], k: 1 }, 'vector'],
    [{ vector: [1, 0, 0, 0], k: 1, ef: -1 }, 'ef'],
    [{ vector: [1, 0, 0, 0], k: 1, filterIds: 'img-1' }, 'filterIds'],
    [{ vector: ['x', 0, 0, 0], k: 1 }, 'vector.0'],
  ])('bad body %j → 400 naming %s', async (body, field) => {
    const res = await request(http).post('/v1/knn').send(body).expect(400);
    expect((res.body as ErrorBody).reason).toMatch(new RegExp(`^${field.replace('.', '\\.')}:`));
  });

  it('malformed JSON and a body over the limit are 4xx, an unknown model version 404', async () => {
    await request(http).post('/v1/knn').set('content-type', 'application/json').send('{"vector":').expect(400);
    await request(http).post('/v1/knn').send({ vector: [1, 0, 0, 0], k: 1, filterIds: Array.from({ length: 1000 }, (_, i) => `id-${i}`) }).expect(413);
    const res = await request(http).post('/v1/knn').send({ vector: [1, 0, 0, 0], k: 1, modelVersion: '9.9.9' }).expect(404);
    expect((res.body as ErrorBody).error).toBe('unknown_model_version');
  });

  it('GET /v1/shards, /v1/vectors/:id, /v1/ids and /metrics', async () => {
    const shards = await request(http).get('/v1/shards').expect(200);
    expect(shards.body).toEqual({ owner: 'test-owner', modelVersion: '1.0.0', partitions: [0], shards: [{ shardId: '1.0.0-vc-0-s00000', modelVersion: '1.0.0', count: 5, deleted: 0, sealed: false, partitions: [0] }] });
    const vector = await request(http).get('/v1/vectors/img-2').expect(200);
    expect(vector.body).toMatchObject({ id: 'img-2', modelVersion: '1.0.0' });
    expect((vector.body as { vector: number[] }).vector.map((x) => Math.round(x * 1000) / 1000)).toEqual([0, 1, 0, 0]);
    await request(http).get('/v1/vectors/nope').expect(404);
    await request(http).get('/v1/vectors/img-2?modelVersion=1.0.0').expect(200);
    await request(http).get('/v1/vectors/img-2?modelVersion=2.0.0').expect(404);
    const ids = await request(http).get('/v1/ids').expect(200);
    expect((ids.body as { ids: string[] }).ids.sort()).toEqual(['img-0', 'img-1', 'img-2', 'img-3', 'img-4']);
    const metrics = await request(http).get('/metrics').expect(200);
    expect(metrics.text).toContain('# TYPE index_freshness_seconds histogram');
    expect(metrics.text).toMatch(/index_shard_vectors\{[^}]*partition="0",shard="1.0.0-vc-0-s00000",sealed="false"[^}]*\} 5/);
    expect(metrics.text).toMatch(/index_knn_request_seconds_count\{[^}]*strategy="exact"[^}]*\} [1-9]/);
    expect(metrics.text).toMatch(/index_snapshot_age_seconds\{[^}]*partition="0"/);
  });
});
