import { HttpStatus } from '@nestjs/common';
import type { Logger } from 'pino';
import { HttpErrorFilter } from '@stylestream/http';
import { ImageValidationError } from '../domain/image-validation.error';

/**
 * The shared error mapping plus ingest's own: a rejected submission answers 400
 * `validation_failed` with every field issue, and other StyleStream errors show their code.
 */
export function ingestExceptionFilter(logger: Logger): HttpErrorFilter {
  return new HttpErrorFilter(logger, {
    map: (exception) => (exception instanceof ImageValidationError ? [HttpStatus.BAD_REQUEST, { error: 'validation_failed', issues: exception.issues }] : undefined),
    exposeInternalErrors: true,
  });
}
