import { ArgumentsHost, Catch, ExceptionFilter, HttpException } from '@nestjs/common';
import type { Response } from 'express';
import type { Logger } from 'pino';
import { DependencyUnavailableError, InvalidInputError, reasonOf } from '@stylestream/errors';

/** 400 for bad parameters (the reason names the parameter), 503 when ClickHouse is down, 500 otherwise. */
@Catch()
export class AnalyticsExceptionFilter implements ExceptionFilter {
  constructor(private readonly logger: Logger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    if (exception instanceof InvalidInputError) {
      res.status(400).json({ error: exception.code.toLowerCase(), reason: exception.message });
    } else if (exception instanceof DependencyUnavailableError) {
      res.setHeader('Retry-After', '1');
      res.status(503).json({ error: 'unavailable', reason: reasonOf(exception), retriable: true });
    } else if (exception instanceof HttpException) {
      res.status(exception.getStatus()).json({ error: 'http', reason: exception.message });
    } else {
      this.logger.error({ err: exception }, 'stats request failed');
      res.status(500).json({ error: 'internal', reason: 'internal error' });
    }
  }
}
