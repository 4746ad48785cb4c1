import { EmbeddingBatcher } from './embedding.batcher';
import { ConcurrencyLimit } from './concurrency.limit';

/** A controllable model: records each call's size; each output row is [first input float, call number]. */
function fakeModel() {
  const calls: number[] = [];
  const gates: (() => void)[] = [];
  let hold = false;
  const embed = async (batch: Float32Array, n: number): Promise<Float32Array> => {
    calls.push(n);
    const call = calls.length;
    if (hold) await new Promise<void>((resolve) => gates.push(resolve));
    const out = new Float32Array(n * 2);
    for (let i = 0; i < n; i++) out.set([batch[i * 3], call], i * 2);
    return out;
  };
  return { calls, embed, holdCalls: (on: boolean) => void (hold = on), release: () => gates.splice(0).forEach((g) => g()) };
}
const slot = (v: number) => new Float32Array([v, 0, 0]);
const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('EmbeddingBatcher', () => {
  it('runs a full batch at once and returns each caller its own row', async () => {
    const model = fakeModel();
    const batcher = new EmbeddingBatcher(model.embed, { maxBatchSize: 3, maxWaitMs: 60_000, inputSize: 3, dim: 2 });
    for (let i = 0; i < 4; i++) batcher.announce();
    const rows = await Promise.all([1, 2, 3].map((v) => batcher.submit(slot(v))));
    expect(model.calls).toEqual([3]);
    expect(rows.map((r) => r[0])).toEqual([1, 2, 3]);
  });

  it('runs a partial batch after maxWaitMs from the oldest image', async () => {
    let now = 0;
    const model = fakeModel();
    const batcher = new EmbeddingBatcher(model.embed, { maxBatchSize: 8, maxWaitMs: 5, inputSize: 3, dim: 2 }, () => now);
    for (let i = 0; i < 3; i++) batcher.announce(); // a third image is still being decoded
    const a = batcher.submit(slot(1));
    now = 4;
    const b = batcher.submit(slot(2));
    await tick();
    expect(model.calls).toEqual([]);
    now = 5;
    expect((await Promise.all([a, b])).map((r) => r[0])).toEqual([1, 2]); // the real 5 ms timer fires
    expect(model.calls).toEqual([2]);
  });

  it('runs at once when no more images are announced, and when the last announced one is withdrawn', async () => {
    const model = fakeModel();
    const batcher = new EmbeddingBatcher(model.embed, { maxBatchSize: 8, maxWaitMs: 60_000, inputSize: 3, dim: 2 });
    expect((await batcher.submit(slot(1)))[0]).toBe(1); // nothing announced: no wait
    batcher.announce();
    batcher.announce();
    const b = batcher.submit(slot(2));
    await tick();
    expect(model.calls).toEqual([1]); // waiting for the other announced image
    batcher.withdraw(); // it failed to decode
    expect((await b)[0]).toBe(2);
    expect(model.calls).toEqual([1, 1]);
  });

  it('queues images while a model call runs and runs them next (one call at a time)', async () => {
    const model = fakeModel();
    model.holdCalls(true);
    const batcher = new EmbeddingBatcher(model.embed, { maxBatchSize: 2, maxWaitMs: 0, inputSize: 3, dim: 2 });
    const first = batcher.submit(slot(1));
    await tick();
    const later = [2, 3, 4].map((v) => batcher.submit(slot(v)));
    await tick();
    expect(model.calls).toEqual([1]);
    expect(batcher.queued).toBe(3);
    model.holdCalls(false);
    model.release();
    const rows = await Promise.all([first, ...later]);
    expect(model.calls).toEqual([1, 2, 1]);
    expect(rows.map((r) => [r[0], r[1]])).toEqual([[1, 1], [2, 2], [3, 2], [4, 3]]);
  });

  it('rejects every image of a failed call and goes on with the next', async () => {
    let fail = true;
    const batcher = new EmbeddingBatcher(
      (batch, n) => (fail ? Promise.reject(new Error('session broke')) : Promise.resolve(new Float32Array(n * 2).fill(batch[0]))),
      { maxBatchSize: 2, maxWaitMs: 0, inputSize: 3, dim: 2 },
    );
    await expect(batcher.submit(slot(1))).rejects.toThrow('session broke');
    fail = false;
    expect(Array.from(await batcher.submit(slot(7)))).toEqual([7, 7]);
  });

  it('writes each image once, straight into its slot of the call\'s input buffer, and passes only the filled slots', async () => {
    const seen: { n: number; floats: number; values: number[] }[] = [];
    const batcher = new EmbeddingBatcher(
      (batch, n) => {
        seen.push({ n, floats: batch.length, values: Array.from(batch) });
        return Promise.resolve(new Float32Array(n * 2).map((_, i) => batch[Math.floor(i / 2) * 3]));
      },
      { maxBatchSize: 4, maxWaitMs: 60_000, inputSize: 3, dim: 2 },
    );
    let writes = 0;
    const writer = (v: number) => (batch: Float32Array, index: number) => {
      writes++;
      batch.set([v, v + 0.5, v + 0.25], index * 3);
    };
    for (let i = 0; i < 3; i++) batcher.announce();
    const rows = [batcher.submit(writer(1)), batcher.submit(slot(2))];
    batcher.withdraw(); // the third image failed before the model: the two run without waiting
    expect((await Promise.all(rows)).map((r) => r[0])).toEqual([1, 2]);
    expect(writes).toBe(1);
    expect(seen).toEqual([{ n: 2, floats: 6, values: [1, 1.5, 1.25, 2, 0, 0] }]);
  });

  it('grows a batch when more images come than were announced, up to maxBatchSize', async () => {
    const model = fakeModel();
    model.holdCalls(true);
    const batcher = new EmbeddingBatcher(model.embed, { maxBatchSize: 3, maxWaitMs: 0, inputSize: 3, dim: 2 });
    const first = batcher.submit(slot(9)); // runs alone, held
    await tick();
    const later = [1, 2, 3, 4, 5].map((v) => batcher.submit(slot(v))); // none announced
    model.holdCalls(false);
    model.release();
    const rows = await Promise.all([first, ...later]);
    expect(model.calls).toEqual([1, 3, 2]);
    expect(rows.map((r) => r[0])).toEqual([9, 1, 2, 3, 4, 5]);
  });

  it('a writer that throws rejects its own image only; its slot goes to the next image', async () => {
    const model = fakeModel();
    const batcher = new EmbeddingBatcher(model.embed, { maxBatchSize: 2, maxWaitMs: 60_000, inputSize: 3, dim: 2 });
    for (let i = 0; i < 3; i++) batcher.announce();
    const bad = batcher.submit((batch, index) => {
      batch[index * 3] = 99;
      throw new RangeError('wrong pixel count');
    });
    await expect(bad).rejects.toThrow('wrong pixel count');
    const rows = await Promise.all([batcher.submit(slot(4)), batcher.submit(slot(5))]);
    expect(model.calls).toEqual([2]);
    expect(rows.map((r) => r[0])).toEqual([4, 5]);
  });

  it('refuses an input slot of the wrong size', async () => {
    const batcher = new EmbeddingBatcher(fakeModel().embed, { maxBatchSize: 2, maxWaitMs: 0, inputSize: 3, dim: 2 });
    await expect(batcher.submit(new Float32Array(2))).rejects.toThrow('expected 3');
  });
});

describe('ConcurrencyLimit', () => {
  it('bounds tasks in flight and runs every task', async () => {
    const limit = new ConcurrencyLimit(2);
    let inFlight = 0;
    let peak = 0;
    const out = await Promise.all(
      [5, 1, 3, 2, 4].map((n) =>
        limit.run(async () => {
          peak = Math.max(peak, ++inFlight);
          await tick();
          inFlight--;
          return n * 10;
        }),
      ),
    );
    expect(out).toEqual([50, 10, 30, 20, 40]);
    expect(peak).toBe(2);
  });
});
