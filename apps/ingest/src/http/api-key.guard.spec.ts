import { UnauthorizedException, type ExecutionContext } from '@nestjs/common';
import { ApiKeyGuard, ApiKeyVerifier } from './api-key.guard';

const contextWith = (headers: Record<string, string | string[]>): ExecutionContext =>
  ({ switchToHttp: () => ({ getRequest: () => ({ headers }) }) }) as unknown as ExecutionContext;

describe('API-key auth', () => {
  const verifier = new ApiKeyVerifier(['alpha-key-1', 'beta-key-22']);

  it('admits any configured key, including one of repeated headers', () => {
    expect(verifier.rejection('alpha-key-1')).toBeUndefined();
    expect(verifier.rejection('beta-key-22')).toBeUndefined();
    expect(verifier.rejection(['beta-key-22', 'x'])).toBeUndefined();
  });

  it('names a missing or unknown key, including a prefix or a longer key', () => {
    expect(verifier.rejection(undefined)).toBe('missing x-api-key header');
    expect(verifier.rejection('')).toBe('missing x-api-key header');
    expect(verifier.rejection('alpha-key')).toBe('unknown API key');
    expect(verifier.rejection('alpha-key-10')).toBe('unknown API key');
  });

  it('the guard throws 401 with the error body', () => {
    const guard = new ApiKeyGuard(['alpha-key-1']);
    expect(guard.canActivate(contextWith({ 'x-api-key': 'alpha-key-1' }))).toBe(true);
    try {
      guard.canActivate(contextWith({}));
      throw new Error('expected a 401');
    } catch (err) {
      expect(err).toBeInstanceOf(UnauthorizedException);
      expect((err as UnauthorizedException).getResponse()).toEqual({ error: 'unauthorized', reason: 'missing x-api-key header' });
    }
  });
});
