import { RowBatcher } from './row-batcher';

const record =
  (writes: number[][]) =>
  (items: readonly number[]): Promise<void> => {
    writes.push([...items]);
    return Promise.resolve();
  };

describe('RowBatcher', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  const policy = { maxRows: 3, maxDelayMs: 1000, lingerMs: 50 };

  it('writes as soon as maxRows items wait, and resolves each add after the write', async () => {
    const writes: number[][] = [];
    const batcher = new RowBatcher<number>(record(writes), policy);
    const done = [batcher.add(1), batcher.add(2), batcher.add(3)];
    await Promise.all(done);
    expect(writes).toEqual([[1, 2, 3]]);
  });

  it('writes after the linger gap when fewer items arrive', async () => {
    const writes: number[][] = [];
    const batcher = new RowBatcher<number>(record(writes), policy);
    let settled = false;
    const p = batcher.add(1).then(() => (settled = true));
    await jest.advanceTimersByTimeAsync(49);
    expect(settled).toBe(false);
    await jest.advanceTimersByTimeAsync(1);
    await p;
    expect(writes).toEqual([[1]]);
  });

  it('writes by maxDelayMs even while items keep arriving inside the linger gap', async () => {
    const writes: number[][] = [];
    const batcher = new RowBatcher<number>(record(writes), { maxRows: 1000, maxDelayMs: 100, lingerMs: 40 });
    const adds: Promise<void>[] = [];
    for (let i = 0; i < 4; i++) {
      adds.push(batcher.add(i));
      await jest.advanceTimersByTimeAsync(30);
    }
    expect(writes).toEqual([[0, 1, 2, 3]]);
    await Promise.all(adds);
  });

  it('rejects every add of a failed write with its error, and writes later items in a new batch', async () => {
    const boom = new Error('down');
    let fail = true;
    const writes: number[][] = [];
    const batcher = new RowBatcher<number>((items) => (fail ? Promise.reject(boom) : record(writes)(items)), policy);
    const a = expect(batcher.add(1)).rejects.toBe(boom);
    const b = expect(batcher.add(2)).rejects.toBe(boom);
    await jest.advanceTimersByTimeAsync(50);
    await a;
    await b;
    fail = false;
    const c = batcher.add(3);
    await jest.advanceTimersByTimeAsync(50);
    await c;
    expect(writes).toEqual([[3]]);
  });

  it('keeps one write in flight; items arriving meanwhile form the next batch', async () => {
    let release: () => void = () => undefined;
    const writes: number[][] = [];
    const batcher = new RowBatcher<number>((items) => {
      writes.push([...items]);
      return writes.length === 1 ? new Promise<void>((r) => (release = r)) : Promise.resolve();
    }, policy);
    const first = [batcher.add(1), batcher.add(2), batcher.add(3)];
    const second = [batcher.add(4), batcher.add(5)];
    await jest.advanceTimersByTimeAsync(100);
    expect(writes).toEqual([[1, 2, 3]]);
    release();
    await Promise.all(first);
    await jest.advanceTimersByTimeAsync(50);
    await Promise.all(second);
    expect(writes).toEqual([[1, 2, 3], [4, 5]]);
  });

  it('drain() writes what waits', async () => {
    const writes: number[][] = [];
    const batcher = new RowBatcher<number>(record(writes), policy);
    const a = batcher.add(7);
    await batcher.drain();
    await a;
    expect(writes).toEqual([[7]]);
    expect(batcher.size).toBe(0);
  });
});
