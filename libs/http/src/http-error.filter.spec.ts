import { NotFoundException, UnauthorizedException } from '@nestjs/common';
import type { Logger } from 'pino';
import { DependencyUnavailableError, InternalError, InvalidInputError } from '@stylestream/errors';
import { HttpErrorFilter } from './http-error.filter';

const logger = { error: jest.fn() } as unknown as Logger;

describe('HttpErrorFilter', () => {
  const filter = new HttpErrorFilter(logger);

  it('maps the error hierarchy to 400 / 503 / 500', () => {
    expect(filter.toResponse(new InvalidInputError('limit: too big'))[0]).toBe(400);
    expect(filter.toResponse(new DependencyUnavailableError('elasticsearch', 'es down'))).toEqual([503, expect.objectContaining({ error: 'unavailable', retriable: true })]);
    expect(filter.toResponse(new InternalError('boom'))).toEqual([500, { error: 'internal', reason: 'internal error' }]);
    expect(filter.toResponse(new Error('boom'))).toEqual([500, { error: 'internal', reason: 'internal error' }]);
  });

  it('keeps an HttpException status, and its body when already {error, reason}', () => {
    expect(filter.toResponse(new NotFoundException())).toEqual([404, { error: 'not_found', reason: 'Not Found' }]);
    expect(filter.toResponse(new UnauthorizedException({ error: 'unauthorized', reason: 'no key' }))).toEqual([401, { error: 'unauthorized', reason: 'no key' }]);
  });

  it('tries the app mapping first and can expose other StyleStream errors', () => {
    const custom = new HttpErrorFilter(logger, { map: (e) => (e instanceof RangeError ? [422, { error: 'range' }] : undefined), exposeInternalErrors: true });
    expect(custom.toResponse(new RangeError('x'))).toEqual([422, { error: 'range' }]);
    expect(custom.toResponse(new InternalError('boom'))).toEqual([500, expect.objectContaining({ reason: 'boom', retriable: false })]);
    expect(custom.toResponse(new InvalidInputError('bad'))[0]).toBe(400);
  });
});
