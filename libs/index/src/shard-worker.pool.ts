import { workerScript } from '@stylestream/config';
import { Worker } from 'node:worker_threads';
import { InternalError } from '@stylestream/errors';
import type { ApplyResult, IndexOp, OpenResult, PartitionStats, ShardHost, ShardHostListener, ShardHostOptions, ShardQuery, ShardQueryResult, SnapshotReport } from './shard-host.port';
import type { ShardWorkerData, ShardWorkerEvent, ShardWorkerMethod, ShardWorkerReply, ShardWorkerRequest } from './shard-worker.protocol';

interface Pending {
  resolve(value: unknown): void;
  reject(err: unknown): void;
}

/** A worker thread plus its calls awaiting a reply. */
class ShardWorker {
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private failure: InternalError | undefined;

  constructor(
    readonly index: number,
    private readonly worker: Worker,
    onFatal: (err: InternalError) => void,
    listener: ShardHostListener,
  ) {
    worker.on('message', (reply: ShardWorkerReply | ShardWorkerEvent) => {
      if ('event' in reply) {
        listener.snapshotWritten?.(reply.partition);
        return;
      }
      const waiting = this.pending.get(reply.id);
      if (waiting === undefined) return;
      this.pending.delete(reply.id);
      if (reply.ok) waiting.resolve(reply.value);
      else waiting.reject(new InternalError(`shard worker ${index}: ${reply.error.message}`));
    });
    const fail = (err: InternalError): void => {
      if (this.failure !== undefined) return;
      this.failure = err;
      for (const waiting of this.pending.values()) waiting.reject(err);
      this.pending.clear();
      onFatal(err);
    };
    worker.on('error', (err) => fail(new InternalError(`shard worker ${index} crashed`, err)));
    worker.on('exit', (code) => fail(new InternalError(`shard worker ${index} exited with code ${code}`)));
  }

  call<T>(method: ShardWorkerMethod, ...args: unknown[]): Promise<T> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    const id = this.nextId;
    this.nextId += 1;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: (v) => resolve(v as T), reject });
      this.worker.postMessage({ id, method, args } satisfies ShardWorkerRequest);
    });
  }

  async terminate(): Promise<void> {
    this.failure ??= new InternalError(`shard worker ${this.index} was closed`);
    await this.worker.terminate();
  }
}

/**
 * ShardHost over worker threads: partition p lives in worker p mod N, which
 * holds its hnswlib graphs, applies its ops and writes its snapshots, so
 * inserts of different partitions use different cores and the main thread
 * (Kafka, HTTP) stays responsive. Queries fan out to every worker and the
 * top-k are merged. A worker that crashes fails its calls and reports to
 * `onFatal` (its shards are gone: the process must restart from snapshots).
 * A worker's background snapshot reaches `listener.snapshotWritten` as it lands.
 */
export class ShardWorkerPool implements ShardHost {
  private readonly workers: ShardWorker[];
  /** Partitions opened (and not released) per worker: a query goes only to workers that hold one. */
  private readonly held = new Map<ShardWorker, Set<number>>();

  constructor(options: ShardHostOptions, size: number, onFatal: (err: InternalError) => void, listener: ShardHostListener = {}) {
    const { script, entry } = workerScript(__dirname, 'shard-worker');
    this.workers = Array.from({ length: Math.max(1, size) }, (_, i) => {
      const workerData: ShardWorkerData = { options, entry };
      return new ShardWorker(i, new Worker(script, { workerData, name: `shard-worker-${i}` }), onFatal, listener);
    });
  }

  get size(): number {
    return this.workers.length;
  }

  async open(partition: number): Promise<OpenResult> {
    const worker = this.of(partition);
    const result = await worker.call<OpenResult>('open', partition);
    this.heldBy(worker).add(partition);
    return result;
  }

  async release(partition: number): Promise<void> {
    const worker = this.of(partition);
    await worker.call('release', partition);
    this.heldBy(worker).delete(partition);
  }

  apply(partition: number, ops: readonly IndexOp[], settled: readonly number[], snapshotAfter: boolean): Promise<ApplyResult> {
    return this.of(partition).call('apply', partition, ops, settled, snapshotAfter);
  }

  snapshot(partition: number, force: boolean): Promise<readonly SnapshotReport[]> {
    return this.of(partition).call('snapshot', partition, force);
  }

  async search(query: ShardQuery): Promise<ShardQueryResult> {
    // Each message to a worker is a thread hop (a wake-up on a busy core): workers without partitions are skipped.
    const holding = this.workers.filter((w) => (this.held.get(w)?.size ?? 0) > 0);
    const parts = await Promise.all(holding.map((w) => w.call<ShardQueryResult>('search', query)));
    const hits = parts.flatMap((p) => p.hits).sort((a, b) => b.score - a.score);
    return { hits: hits.slice(0, query.k), shards: parts.flatMap((p) => p.shards) };
  }

  async vectorOf(imageId: string): Promise<number[] | undefined> {
    const found = await Promise.all(this.workers.map((w) => w.call<number[] | undefined>('vectorOf', imageId)));
    return found.find((v) => v !== undefined);
  }

  async stats(): Promise<PartitionStats[]> {
    const parts = await Promise.all(this.workers.map((w) => w.call<PartitionStats[]>('stats')));
    return parts.flat().sort((a, b) => a.partition - b.partition);
  }

  async imageIds(): Promise<string[]> {
    return (await Promise.all(this.workers.map((w) => w.call<string[]>('imageIds')))).flat();
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  private heldBy(worker: ShardWorker): Set<number> {
    let partitions = this.held.get(worker);
    if (partitions === undefined) {
      partitions = new Set();
      this.held.set(worker, partitions);
    }
    return partitions;
  }

  private of(partition: number): ShardWorker {
    const worker = this.workers[partition % this.workers.length];
    if (worker === undefined) throw new InternalError(`no shard worker for partition ${partition}`);
    return worker;
  }
}
