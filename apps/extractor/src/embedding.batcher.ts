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

/** Writes one image into slot `index` of a model input batch (`inputSize` floats per slot). */
export type SlotWriter = (batch: Float32Array, index: number) => void;

interface Pending {
  /** When it was queued (ms, monotonic). */
  readonly at: number;
  resolve(vector: Float32Array): void;
  reject(err: unknown): void;
}

/** The input buffer of one future model call, filled slot by slot as images are submitted. */
interface OpenBatch {
  buffer: Float32Array;
  /** Slots the buffer has room for (grown up to maxBatchSize while the batch waits). */
  capacity: number;
  readonly pending: Pending[];
}

/**
 * Dynamic batching in front of one model session. Callers `submit` one
 * preprocessed image (its model input slot, or a writer that writes it) and get its
 * output row back. The image is written at once into the input buffer of the model
 * call it will be part of (no per-image slot, no copy when the call starts).
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
 * call with its error; a writer that throws rejects its own image only.
 */
export class EmbeddingBatcher {
  /** Batches being filled, oldest first; only the last one takes new images. */
  private batches: OpenBatch[] = [];
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
    return this.batches.reduce((n, b) => n + b.pending.length, 0);
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

  /**
   * Queues an image (announced or not) for the next model call: `input` is its model
   * input slot (`inputSize` floats, copied), or a writer called once, at once, with the
   * batch buffer and the slot to write.
   */
  submit(input: Float32Array | SlotWriter): Promise<Float32Array> {
    this.announced = Math.max(0, this.announced - 1);
    const { inputSize } = this.options;
    if (typeof input !== 'function' && input.length !== inputSize) {
      return Promise.reject(new InternalError(`model input slot has ${input.length} floats, expected ${inputSize}`));
    }
    const open = this.openBatch();
    const index = open.pending.length;
    try {
      if (typeof input === 'function') input(open.buffer, index);
      else open.buffer.set(input, index * inputSize);
    } catch (err) {
      open.buffer.fill(0, index * inputSize, (index + 1) * inputSize);
      return Promise.reject(err instanceof Error ? err : new InternalError('model input writer failed', err));
    }
    return new Promise<Float32Array>((resolve, reject) => {
      open.pending.push({ at: this.now(), resolve, reject });
      this.schedule();
    });
  }

  /**
   * The batch that takes the next image: the last one while it has room or can grow to
   * maxBatchSize, else a new one. A buffer is sized for the images announced (a lone
   * image does not allocate a full batch) and regrown, by copying its filled slots, when
   * more images come than were announced (rare: callers announce before fetching).
   */
  private openBatch(): OpenBatch {
    const { maxBatchSize, inputSize } = this.options;
    const wanted = (have: number) => Math.min(maxBatchSize, Math.max(2 * have, have + this.announced + 1));
    const last = this.batches.at(-1);
    if (last !== undefined && last.pending.length < last.capacity) return last;
    if (last !== undefined && last.capacity < maxBatchSize) {
      const capacity = wanted(last.capacity);
      const buffer = new Float32Array(capacity * inputSize);
      buffer.set(last.buffer);
      last.buffer = buffer;
      last.capacity = capacity;
      return last;
    }
    const capacity = wanted(0);
    const created: OpenBatch = { buffer: new Float32Array(capacity * inputSize), capacity, pending: [] };
    this.batches.push(created);
    return created;
  }

  private schedule(): void {
    const head = this.batches[0];
    if (this.running || head === undefined || head.pending.length === 0) return;
    const waitedMs = this.now() - head.pending[0].at;
    if (head.pending.length >= this.options.maxBatchSize || this.announced === 0 || waitedMs >= this.options.maxWaitMs) {
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
    const head = this.batches[0];
    if (this.running || head === undefined || head.pending.length === 0) return;
    this.batches.shift();
    this.running = true;
    void this.runBatch(head).finally(() => {
      this.running = false;
      this.schedule();
    });
  }

  private async runBatch(taken: OpenBatch): Promise<void> {
    const { inputSize, dim } = this.options;
    const n = taken.pending.length;
    // A partly filled buffer is passed as a view of its filled slots.
    const batch = n === taken.capacity ? taken.buffer : taken.buffer.subarray(0, n * inputSize);
    const started = process.hrtime.bigint();
    try {
      const out = await this.embed(batch, n);
      this.options.onBatch?.(n, Number(process.hrtime.bigint() - started) / 1e9);
      if (out.length !== n * dim) throw new InternalError(`model returned ${out.length} floats for ${n} images of dim ${dim}`);
      taken.pending.forEach((p, i) => p.resolve(out.subarray(i * dim, (i + 1) * dim)));
    } catch (err) {
      for (const p of taken.pending) p.reject(err);
    }
  }
}
