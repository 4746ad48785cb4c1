import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus } from '@nestjs/common';
import type { Response } from 'express';
import type { Logger } from 'pino';
import { DependencyUnavailableError, InvalidInputError, reasonOf } from '@stylestream/errors';

export interface ErrorBody {
  error: string;
  reason?: string;
  retriable?: boolean;
}

/** Maps the error hierarchy to HTTP: invalid parameters 400, Elasticsearch down 503, the rest 500. */
@Catch()
export class CatalogExceptionFilter implements ExceptionFilter {
  constructor(private readonly logger: Logger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    const [status, body] = this.toResponse(exception);
    if (status >= 500) this.logger.error({ err: exception, status }, 'request failed');
    if (status === 503) res.setHeader('Retry-After', '1');
    res.status(status).json(body);
  }

  private toResponse(exception: unknown): [number, ErrorBody] {
    if (exception instanceof InvalidInputError) return [HttpStatus.BAD_REQUEST, { error: exception.code.toLowerCase(), reason: exception.message }];
    if (exception instanceof DependencyUnavailableError) return [HttpStatus.SERVICE_UNAVAILABLE, { error: 'unavailable', reason: reasonOf(exception), retriable: true }];
    if (exception instanceof HttpException) return [exception.getStatus(), { error: String(HttpStatus[exception.getStatus()] ?? 'error').toLowerCase(), reason: exception.message }];
    return [HttpStatus.INTERNAL_SERVER_ERROR, { error: 'internal', reason: 'internal error' }];
  }
}
