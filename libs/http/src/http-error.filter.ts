import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus } from '@nestjs/common';
import type { Response } from 'express';
import type { Logger } from 'pino';
import { DependencyUnavailableError, InvalidInputError, StyleStreamError, reasonOf } from '@stylestream/errors';

/** Body of every error response: a stable `error` code plus a reason or field issues. */
export interface ErrorBody {
  error: string;
  reason?: string;
  issues?: readonly { path: string; message: string }[];
  retriable?: boolean;
}

/** An app-specific mapping, tried first: a [status, body] pair, or undefined to fall through to the shared one. */
export type ErrorMapping = (exception: unknown) => [number, ErrorBody] | undefined;

export interface HttpErrorFilterOptions {
  /** Tried before the shared mapping (e.g. field validation errors with their issues). */
  readonly map?: ErrorMapping;
  /** Other StyleStream errors answer 500 with their code, message and `retriable`; otherwise a bare `internal` (default). */
  readonly exposeInternalErrors?: boolean;
}

/**
 * Maps the StyleStream error hierarchy (and Nest's HttpExceptions) to HTTP:
 * InvalidInputError 400 (the reason names the parameter), DependencyUnavailableError
 * 503 with `Retry-After: 1` and `retriable: true`, an HttpException keeps its status
 * (and its body when that already is `{error, reason}`), anything else 500.
 * Every 5xx is logged with its cause; the response never carries a stack.
 */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  constructor(
    private readonly logger: Logger,
    private readonly options: HttpErrorFilterOptions = {},
  ) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    const [status, body] = this.toResponse(exception);
    if (status >= 500) this.logger.error({ err: exception, status }, 'request failed');
    if (status === 503) res.setHeader('Retry-After', '1');
    res.status(status).json(body);
  }

  toResponse(exception: unknown): [number, ErrorBody] {
    const mapped = this.options.map?.(exception);
    if (mapped !== undefined) return mapped;
    if (exception instanceof InvalidInputError) {
      return [HttpStatus.BAD_REQUEST, { error: exception.code.toLowerCase(), reason: exception.message }];
    }
    if (exception instanceof DependencyUnavailableError) {
      return [HttpStatus.SERVICE_UNAVAILABLE, { error: 'unavailable', reason: reasonOf(exception), retriable: true }];
    }
    if (exception instanceof StyleStreamError && this.options.exposeInternalErrors === true) {
      return [HttpStatus.INTERNAL_SERVER_ERROR, { error: exception.code.toLowerCase(), reason: exception.message, retriable: exception.retriable }];
    }
    if (exception instanceof HttpException) {
      const response = exception.getResponse();
      const body: ErrorBody =
        typeof response === 'object' && response !== null && 'error' in response && 'reason' in response
          ? (response as ErrorBody)
          : { error: String(HttpStatus[exception.getStatus()] ?? 'error').toLowerCase(), reason: exception.message };
      return [exception.getStatus(), body];
    }
    return [HttpStatus.INTERNAL_SERVER_ERROR, { error: 'internal', reason: 'internal error' }];
  }
}
