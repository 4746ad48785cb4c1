import { ConfigError, DependencyUnavailableError, InvalidInputError, isRetriable } from '@stylestream/errors';
import { mapRegistryError } from './registry-errors';

function responseError(status: number, message: string): Error & { status: number } {
  return Object.assign(new Error(message), { name: 'ResponseError', status });
}

describe('mapRegistryError', () => {
  it('maps unreachable registry and 5xx to retriable DependencyUnavailableError', () => {
    const refused = mapRegistryError(responseError(400, 'Error, status 400: connect ECONNREFUSED 127.0.0.1:8081'), 'lookup');
    expect(refused).toBeInstanceOf(DependencyUnavailableError);
    expect(isRetriable(refused)).toBe(true);
    expect(mapRegistryError(responseError(503, 'down'), 'lookup')).toBeInstanceOf(DependencyUnavailableError);
    expect(mapRegistryError(new Error('socket hang up'), 'lookup')).toBeInstanceOf(DependencyUnavailableError);
  });

  it('maps 404/409/422 to non-retriable InvalidInputError codes', () => {
    const cases: [number, string][] = [
      [404, 'SCHEMA_UNKNOWN'],
      [409, 'SCHEMA_INCOMPATIBLE'],
      [422, 'SCHEMA_INVALID'],
      [400, 'SCHEMA_REGISTRY_REJECTED'],
    ];
    for (const [status, code] of cases) {
      const mapped = mapRegistryError(responseError(status, 'x'), 'lookup');
      expect([status, mapped instanceof InvalidInputError, mapped.code, mapped.retriable]).toEqual([status, true, code, false]);
    }
  });

  it('maps auth failures to ConfigError', () => {
    expect(mapRegistryError(responseError(401, 'unauthorized'), 'lookup')).toBeInstanceOf(ConfigError);
  });
});
