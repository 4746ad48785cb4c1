import { withinDeadline } from './deadline';

describe('withinDeadline', () => {
  const late = (): Error => new Error('too late');

  it('passes the answer of work that settles in time, and its rejection', async () => {
    await expect(withinDeadline(Promise.resolve(7), 1_000, late)).resolves.toBe(7);
    await expect(withinDeadline(Promise.reject(new Error('refused')), 1_000, late)).rejects.toThrow('refused');
  });

  it('rejects with the deadline error when work never settles', async () => {
    const started = Date.now();
    await expect(withinDeadline(new Promise(() => undefined), 30, late)).rejects.toThrow('too late');
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('work that fails after its deadline is not an unhandled rejection', async () => {
    const unhandled = jest.fn();
    process.on('unhandledRejection', unhandled);
    try {
      let fail: (e: Error) => void = () => undefined;
      const work = new Promise<never>((_, reject) => (fail = reject));
      await expect(withinDeadline(work, 10, late)).rejects.toThrow('too late');
      fail(new Error('late failure'));
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(unhandled).not.toHaveBeenCalled();
    } finally {
      process.off('unhandledRejection', unhandled);
    }
  });
});
