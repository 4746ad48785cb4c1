import { ArgumentsHost, Catch, ExceptionFilter, HttpException } from '@nestjs/common';
import type { Response } from 'express';
import type { Logger } from '@stylestream/logging';
import { RegistryError } from '../domain/registry-errors';
import { REGISTRY_CONTENT_TYPE } from './content-type';

/** Every error leaves as Confluent's `{"error_code": N, "message": "..."}`. */
@Catch()
export class RegistryExceptionFilter implements ExceptionFilter {
  constructor(private readonly logger: Logger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    const { status, body } = this.toBody(exception);
    if (status >= 500) this.logger.error({ err: exception }, body.message);
    response.status(status).setHeader('Content-Type', REGISTRY_CONTENT_TYPE);
    response.send(JSON.stringify(body));
  }

  private toBody(exception: unknown): { status: number; body: { error_code: number; message: string } } {
    if (exception instanceof RegistryError) {
      return { status: exception.httpStatus, body: { error_code: exception.errorCode, message: exception.message } };
    }
    if (exception instanceof HttpException) {
      return { status: exception.getStatus(), body: { error_code: exception.getStatus(), message: exception.message } };
    }
    const parseFailure = exception as { type?: unknown; status?: unknown; message?: unknown };
    if (typeof parseFailure.status === 'number' && parseFailure.status >= 400 && parseFailure.status < 500) {
      return { status: parseFailure.status, body: { error_code: parseFailure.status, message: String(parseFailure.message) } };
    }
    const message = exception instanceof Error ? exception.message : String(exception);
    return { status: 500, body: { error_code: 50001, message: `Error in the backend data store: ${message}` } };
  }
}
