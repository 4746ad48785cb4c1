import { stopOnce } from './stop-once';

describe('stopOnce', () => {
  it('runs the steps once and hands every caller the same promise', async () => {
    let runs = 0;
    const stop = stopOnce(async () => {
      runs += 1;
      await Promise.resolve();
    });
    const first = stop();
    const second = stop();
    expect(second).toBe(first);
    await Promise.all([first, second]);
    await stop();
    expect(runs).toBe(1);
  });

  it('keeps reporting the first failure', async () => {
    let runs = 0;
    const stop = stopOnce(() => {
      runs += 1;
      return Promise.reject(new Error('disconnect failed'));
    });
    await expect(stop()).rejects.toThrow('disconnect failed');
    await expect(stop()).rejects.toThrow('disconnect failed');
    expect(runs).toBe(1);
  });
});
