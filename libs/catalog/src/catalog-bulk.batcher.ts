import type { CatalogStore } from './catalog-store.port';
import type { CatalogWrite, CatalogWriteResult } from './catalog-write';

export interface CatalogBulkBatcherOptions {
  /** A batch is flushed once it holds this many writes... */
  readonly maxBatch: number;
  /** ...or this long after its first write arrived. */
  readonly lingerMs: number;
}

interface Pending {
  write: CatalogWrite;
  resolve: (result: CatalogWriteResult) => void;
  reject: (err: unknown) => void;
}

/**
 * Collects writes from concurrent callers (one per partition being handled)
 * into bulk requests, flushed by size or time. `submit` resolves with the
 * write's own result once its batch has been applied, so a caller settles
 * its Kafka message only after the write is stored; it rejects when the
 * whole batch could not be attempted (the store's error, e.g.
 * DependencyUnavailableError). Batches are applied one at a time, in order.
 */
export class CatalogBulkBatcher {
  private queue: Pending[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: CatalogStore,
    private readonly options: CatalogBulkBatcherOptions,
  ) {}

  submit(write: CatalogWrite): Promise<CatalogWriteResult> {
    return new Promise<CatalogWriteResult>((resolve, reject) => {
      this.queue.push({ write, resolve, reject });
      if (this.queue.length >= this.options.maxBatch) void this.flush();
      else this.timer ??= setTimeout(() => void this.flush(), this.options.lingerMs);
    });
  }

  /** Sends what is queued now; resolves when it has been applied. */
  flush(): Promise<void> {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.queue;
    this.queue = [];
    if (batch.length === 0) return this.flushing;
    this.flushing = this.flushing.then(() => this.send(batch));
    return this.flushing;
  }

  private async send(batch: Pending[]): Promise<void> {
    try {
      const results = await this.store.apply(batch.map((p) => p.write));
      batch.forEach((p, i) => {
        const result = results[i];
        if (result === undefined) p.reject(new Error(`store returned no result for write ${i}`));
        else p.resolve(result);
      });
    } catch (err) {
      for (const p of batch) p.reject(err);
    }
  }
}
