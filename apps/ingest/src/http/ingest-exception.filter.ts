import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus } from '@nestjs/common';
import type { Response } from 'express';
import type { Logger } from 'pino';
import { DependencyUnavailableError, InvalidInputError, StyleStreamError, reasonOf } from '@stylestream/errors';
import { ImageValidationError } from '../domain/image-validation.error';

/** Body of every error response: a stable `error` code plus a reason or field issues. */
export interface ErrorBody {
  error: string;
  reason?: string;
  issues?: readonly { path: string; message: string }[];
  retriable?: boolean;
}

/** Maps the StyleStream error hierarchy (and Nest's HttpExceptions) to HTTP responses. */
@Catch()
export class IngestExceptionFilter implements ExceptionFilter {
  constructor(private readonly logger: Logger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    const [status, body] = this.toResponse(exception);
    if (status >= 500) this.logger.error({ err: exception, status }, 'request failed');
    if (status === 503) res.setHeader('Retry-After', '1');
    res.status(status).json(body);
  }

  private toResponse(exception: unknown): [number, ErrorBody] {
    if (exception instanceof ImageValidationError) {
      return [HttpStatus.BAD_REQUEST, { error: 'validation_failed', issues: exception.issues }];
    }
    if (exception instanceof InvalidInputError) {
      return [HttpStatus.BAD_REQUEST, { error: exception.code.toLowerCase(), reason: exception.message }];
    }
    if (exception instanceof DependencyUnavailableError) {
      return [HttpStatus.SERVICE_UNAVAILABLE, { error: 'unavailable', reason: reasonOf(exception), retriable: true }];
    }
    if (exception instanceof StyleStreamError) {
      return [HttpStatus.INTERNAL_SERVER_ERROR, { error: exception.code.toLowerCase(), reason: exception.message, retriable: exception.retriable }];
    }
    if (exception instanceof HttpException) {
      const response = exception.getResponse();
      const body: ErrorBody =
        typeof response === 'object' && response !== null && 'error' in response && 'reason' in response
          ? (response as ErrorBody)
          : { error: snake(HttpStatus[exception.getStatus()] ?? 'error'), reason: exception.message };
      return [exception.getStatus(), body];
    }
    return [HttpStatus.INTERNAL_SERVER_ERROR, { error: 'internal', reason: 'internal error' }];
  }
}

function snake(name: string): string {
  return name.toLowerCase();
}
