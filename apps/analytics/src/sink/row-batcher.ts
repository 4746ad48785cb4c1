/** When a batch is written: by size, by age of its oldest row, or after a quiet gap. */
export interface BatchPolicy {
  /** Flush as soon as this many items wait. */
  readonly maxRows: number;
  /** Flush at the latest this long after the first item of a batch arrived. */
  readonly maxDelayMs: number;
  /**
   * Flush once no item arrived for this long. Each busy partition adds its
   * whole fetched batch at once and then waits for the write, so a short
   * quiet gap detects that every busy partition has contributed.
   */
  readonly lingerMs: number;
}

interface Waiter<T> {
  readonly item: T;
  readonly resolve: () => void;
  readonly reject: (err: unknown) => void;
}

/**
 * Collects items from concurrent callers into batches and writes each batch
 * with one `write` call. `add(item)` resolves only after the batch holding
 * the item was written, and rejects with the write's error: a caller can
 * therefore settle its Kafka message exactly when its row is stored. One
 * write at a time; items that arrive meanwhile form the next batch.
 */
export class RowBatcher<T> {
  private pending: Waiter<T>[] = [];
  private firstAt = 0;
  private lastAt = 0;
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> | undefined;

  constructor(
    private readonly write: (items: readonly T[]) => Promise<void>,
    private readonly policy: BatchPolicy,
    private readonly now: () => number = Date.now,
  ) {}

  add(item: T): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const at = this.now();
      if (this.pending.length === 0) this.firstAt = at;
      this.lastAt = at;
      this.pending.push({ item, resolve, reject });
      this.schedule();
    });
  }

  /** Items waiting for the next write. */
  get size(): number {
    return this.pending.length;
  }

  /** Writes whatever waits now (used at shutdown); resolves when nothing is pending or in flight. */
  async drain(): Promise<void> {
    while (this.pending.length > 0 || this.writing !== undefined) {
      if (this.writing !== undefined) await this.writing;
      else await this.flush();
    }
  }

  private schedule(): void {
    if (this.writing !== undefined) return; // the running write reschedules when it ends
    if (this.pending.length >= this.policy.maxRows) {
      void this.flush();
      return;
    }
    const due = Math.min(this.firstAt + this.policy.maxDelayMs, this.lastAt + this.policy.lingerMs);
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.flush(), Math.max(0, due - this.now()));
  }

  private flush(): Promise<void> {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.writing !== undefined) return this.writing;
    const batch = this.pending.splice(0, this.policy.maxRows);
    if (batch.length === 0) return Promise.resolve();
    this.writing = this.write(batch.map((w) => w.item)).then(
      () => batch.forEach((w) => w.resolve()),
      (err: unknown) => batch.forEach((w) => w.reject(err)),
    );
    return this.writing.finally(() => {
      this.writing = undefined;
      if (this.pending.length > 0) {
        this.firstAt = this.now();
        this.schedule();
      }
    });
  }
}
