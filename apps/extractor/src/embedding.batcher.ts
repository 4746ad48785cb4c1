import { InternalError } from '@stylestream/errors';

/** Runs the model over `n` images written back to back in `batch`; resolves with `n × dim` floats. */
export type BatchEmbed = (batch: Float32Array, n: number) => Promise<Float32Array>;

export interface EmbeddingBatcherOptions {
  /** Most images in one model call. */
  readonly maxBatchSize: number;
  /** Longest an image waits for companions before a partial batch runs, in ms (0: run what is queued at once). */
  readonly maxWaitMs: number;
  /** Floats per image (the model input slot). */
  readonly inputSize: number;
  /** Floats per output row. */
  readonly dim: number;
  /** Called once per model call with its size and duration, in seconds. */
  readonly onBatch?: (size: number, seconds: number) => void;
}

interface Pending {
  readonly input: Float32Array;
  /** When it was queued (ms, monotonic). */
  readonly at: number;
  resolve(vector: Float32Array): void;
  reject(err: unknown): void;
}

/**
 * Dynamic batching in front of one model session. Callers `submit` one
 * preprocessed image (its model input slot) and get its output row back.
 * Images from every caller (concurrent handler calls of several partitions,
 * and the images of one call as each finishes decoding) queue together.
 * Callers `announce` an image when they start fetching it and `withdraw` it
 * if it will never be submitted (bad input), so the batcher knows whether
 * more images are on their way. When the model is free, a call runs as soon as
 * `maxBatchSize` images are queued, or nothing more is announced (an idle
 * stream adds no latency), or the oldest queued image has waited `maxWaitMs`.
 * One model call runs at a time (the session already uses every intra-op
 * thread); images arriving meanwhile queue for the next call, so decoding
 * overlaps inference. A model call that rejects rejects every image of that
 * call with its error.
 */
export class EmbeddingBatcher {
  private queue: Pending[] = [];
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private announced = 0;

  constructor(
    private readonly embed: BatchEmbed,
    private readonly options: EmbeddingBatcherOptions,
    private readonly now: () => number = () => performance.now(),
  ) {
    if (!Number.isInteger(options.maxBatchSize) || options.maxBatchSize < 1) throw new InternalError(`maxBatchSize must be a positive integer (got ${options.maxBatchSize})`);
  }

  /** Images waiting for a model call. */
  get queued(): number {
    return this.queue.length;
  }

  /** One more image is being fetched/decoded and will probably be submitted. */
  announce(): void {
    this.announced++;
  }

  /** An announced image will not be submitted (it failed before the model). */
  withdraw(): void {
    this.announced = Math.max(0, this.announced - 1);
    this.schedule();
  }

  /** Queues an image (announced or not) for the next model call. */
  submit(input: Float32Array): Promise<Float32Array> {
    this.announced = Math.max(0, this.announced - 1);
    if (input.length !== this.options.inputSize) {
      return Promise.reject(new InternalError(`model input slot has ${input.length} floats, expected ${this.options.inputSize}`));
    }
    return new Promise<Float32Array>((resolve, reject) => {
      this.queue.push({ input, at: this.now(), resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.running || this.queue.length === 0) return;
    const waitedMs = this.now() - this.queue[0].at;
    if (this.queue.length >= this.options.maxBatchSize || this.announced === 0 || waitedMs >= this.options.maxWaitMs) {
      this.runNext();
      return;
    }
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this.runNext();
    }, this.options.maxWaitMs - waitedMs);
  }

  private runNext(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.running || this.queue.length === 0) return;
    const taken = this.queue.splice(0, this.options.maxBatchSize);
    this.running = true;
    void this.runBatch(taken).finally(() => {
      this.running = false;
      this.schedule();
    });
  }

  private async runBatch(taken: readonly Pending[]): Promise<void> {
    const { inputSize, dim } = this.options;
    const batch = new Float32Array(taken.length * inputSize);
    taken.forEach((p, i) => batch.set(p.input, i * inputSize));
    const started = process.hrtime.bigint();
    try {
      const out = await this.embed(batch, taken.length);
      this.options.onBatch?.(taken.length, Number(process.hrtime.bigint() - started) / 1e9);
      if (out.length !== taken.length * dim) throw new InternalError(`model returned ${out.length} floats for ${taken.length} images of dim ${dim}`);
      taken.forEach((p, i) => p.resolve(out.subarray(i * dim, (i + 1) * dim)));
    } catch (err) {
      for (const p of taken) p.reject(err);
    }
  }
}
