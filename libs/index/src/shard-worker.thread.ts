import { parentPort, workerData } from 'node:worker_threads';
import { reasonOf } from '@stylestream/errors';
import { PartitionShardsHost } from './partition-shards.host';
import type { ShardHost } from './shard-host.port';
import type { ShardWorkerData, ShardWorkerEvent, ShardWorkerReply, ShardWorkerRequest } from './shard-worker.protocol';

/** A shard worker thread: a PartitionShardsHost answering ShardWorkerRequests from its pool. */
const port = parentPort;
if (port === null) throw new Error('shard-worker.thread must run in a worker thread');
const host: ShardHost = new PartitionShardsHost((workerData as ShardWorkerData).options, Date.now, {
  snapshotWritten: (partition) => port.postMessage({ event: 'snapshot-written', partition } satisfies ShardWorkerEvent),
});

/** The arguments cross the thread boundary untyped; the pool builds them from the same ShardHost signatures. */
const call = (request: ShardWorkerRequest): Promise<unknown> => {
  const a: unknown = request.args;
  switch (request.method) {
    case 'open':
      return host.open(...(a as Parameters<ShardHost['open']>));
    case 'release':
      return host.release(...(a as Parameters<ShardHost['release']>));
    case 'apply':
      return host.apply(...(a as Parameters<ShardHost['apply']>));
    case 'snapshot':
      return host.snapshot(...(a as Parameters<ShardHost['snapshot']>));
    case 'search':
      return host.search(...(a as Parameters<ShardHost['search']>));
    case 'vectorOf':
      return host.vectorOf(...(a as Parameters<ShardHost['vectorOf']>));
    case 'stats':
      return host.stats();
    case 'imageIds':
      return host.imageIds();
  }
};

port.on('message', (request: ShardWorkerRequest) => {
  call(request).then(
    (value) => port.postMessage({ id: request.id, ok: true, value } satisfies ShardWorkerReply),
    (err: unknown) => port.postMessage({ id: request.id, ok: false, error: { name: err instanceof Error ? err.name : 'Error', message: reasonOf(err) } } satisfies ShardWorkerReply),
  );
});
