import { DependencyUnavailableError, InternalError } from '@stylestream/errors';
import { retryWhileUnavailable } from './catalog-serve';

describe('retryWhileUnavailable (catalogue index setup)', () => {
  const quiet = { warn: () => undefined };

  it('tries again after a retriable failure and returns the first success', async () => {
    let calls = 0;
    const result = await retryWhileUnavailable(
      () => (++calls < 3 ? Promise.reject(new DependencyUnavailableError('elasticsearch', 'create catalog-shards: Request timed out')) : Promise.resolve('catalog-v1')),
      quiet,
      6,
      1,
    );
    expect(result).toBe('catalog-v1');
    expect(calls).toBe(3);
  });

  it('throws a non-retriable error at once, and the last retriable one after the attempts', async () => {
    let calls = 0;
    await expect(retryWhileUnavailable(() => (calls++, Promise.reject(new InternalError('bad mapping'))), quiet, 6, 1)).rejects.toThrow('bad mapping');
    expect(calls).toBe(1);
    calls = 0;
    await expect(retryWhileUnavailable(() => (calls++, Promise.reject(new DependencyUnavailableError('elasticsearch', 'down'))), quiet, 3, 1)).rejects.toThrow('down');
    expect(calls).toBe(3);
  });
});
