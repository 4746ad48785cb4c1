import { NotFoundException } from '@nestjs/common';
import pino from 'pino';
import { DependencyUnavailableError, InternalError } from '@stylestream/errors';
import { HttpErrorFilter } from '@stylestream/http';
import { OwnerRejectedError } from '../domain/owner-rejected.error';
import type { KnnAnswer, KnnRequest, ShardOwnerClient } from '../domain/shard-owner.port';
import { ColocatedShardOwnerClient, type ColocatedOwner } from './colocated-shard-owner.client';

const LOCAL = 'http://127.0.0.1:8097';
const REMOTE = 'http://10.0.0.2:8097';

function answer(owner: string): KnnAnswer {
  return { owner, modelVersion: '1', shards: [{ shardId: 's', count: 1 }], hits: [{ id: `${owner}-hit`, score: 0.9 }], tookMs: 0.1 };
}

function setup(overrides: Partial<ColocatedOwner['queries']> = {}) {
  const seen: unknown[] = [];
  const queries: ColocatedOwner['queries'] = {
    knn: (request) => {
      seen.push(request);
      return Promise.resolve(answer(LOCAL));
    },
    shards: () => Promise.resolve({ owner: LOCAL, modelVersion: '1', partitions: [0, 1], shards: [] }),
    vector: (id) => Promise.resolve({ id, modelVersion: '1', vector: [1, 0] }),
    ...overrides,
  };
  const remoteCalls: string[] = [];
  const remote: ShardOwnerClient = {
    knn: (owner) => {
      remoteCalls.push(`knn ${owner}`);
      return Promise.resolve(answer(owner));
    },
    shards: (owner) => {
      remoteCalls.push(`shards ${owner}`);
      return Promise.resolve({ owner, modelVersion: '1', partitions: [2], shards: [] });
    },
    vector: (owner, id) => {
      remoteCalls.push(`vector ${owner} ${id}`);
      return Promise.resolve(undefined);
    },
    close: () => {
      remoteCalls.push('close');
      return Promise.resolve();
    },
  };
  const client = new ColocatedShardOwnerClient({ url: LOCAL, queries, dim: 2, maxK: 100 }, remote, new HttpErrorFilter(pino({ level: 'silent' })));
  return { client, seen, remoteCalls };
}

const signal = new AbortController().signal;

describe('ColocatedShardOwnerClient', () => {
  it('answers the local owner in-process with the request validated as its endpoint would, and every other owner through the remote client', async () => {
    const { client, seen, remoteCalls } = setup();
    const request: KnnRequest = { vector: [0.6, 0.8], k: 5, ef: 64, excludeIds: ['x'] };
    expect((await client.knn(LOCAL, request, signal)).hits).toEqual([{ id: `${LOCAL}-hit`, score: 0.9 }]);
    expect(seen).toEqual([expect.objectContaining({ vector: new Float32Array([0.6, 0.8]), k: 5, ef: 64, excludeIds: ['x'] })]);
    expect((await client.knn(REMOTE, request, signal)).owner).toBe(REMOTE);
    expect((await client.shards(LOCAL, signal)).partitions).toEqual([0, 1]);
    expect((await client.shards(REMOTE, signal)).partitions).toEqual([2]);
    expect(await client.vector(LOCAL, 'img-1', undefined, signal)).toEqual({ id: 'img-1', modelVersion: '1', vector: [1, 0] });
    await client.close();
    expect(remoteCalls).toEqual([`knn ${REMOTE}`, `shards ${REMOTE}`, 'close']);
  });

  it('rejects a request the endpoint would refuse with a 400 naming the field, without calling the owner', async () => {
    const { client, seen } = setup();
    const wrongDim = client.knn(LOCAL, { vector: [1, 0, 0], k: 5 }, signal);
    await expect(wrongDim).rejects.toBeInstanceOf(OwnerRejectedError);
    await expect(wrongDim).rejects.toMatchObject({ owner: LOCAL, status: 400 });
    await expect(wrongDim).rejects.toThrow(/HTTP 400: .*vector/);
    const tooDeep = client.knn(LOCAL, { vector: [1, 0], k: 1000 }, signal);
    await expect(tooDeep).rejects.toMatchObject({ status: 400 });
    await expect(tooDeep).rejects.toThrow(/HTTP 400: .*"?k"?/);
    expect(seen).toEqual([]);
  });

  it('keeps the owner\'s 404s (unknown model version; a vector it does not hold is undefined) and turns failures into DependencyUnavailableError', async () => {
    const notServed = new NotFoundException({ error: 'unknown_model_version', reason: 'model version 9 is not served here' });
    const { client } = setup({
      knn: () => Promise.reject(notServed),
      vector: () => Promise.reject(new NotFoundException({ error: 'not_found', reason: 'not held' })),
      shards: () => Promise.reject(new InternalError('shard host closed')),
    });
    await expect(client.knn(LOCAL, { vector: [1, 0], k: 1, modelVersion: '9' }, signal)).rejects.toMatchObject({ status: 404, reason: 'model version 9 is not served here' });
    expect(await client.vector(LOCAL, 'img-1', undefined, signal)).toBeUndefined();
    const failed = client.shards(LOCAL, signal);
    await expect(failed).rejects.toBeInstanceOf(DependencyUnavailableError);
    await expect(failed).rejects.toThrow(/GET \/v1\/shards: shard host closed/);
  });
});
