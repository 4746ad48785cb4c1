import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import type { Response } from 'express';
import type { Observable } from 'rxjs';

/** What the registry answers with, as Confluent does. */
export const REGISTRY_CONTENT_TYPE = 'application/vnd.schemaregistry.v1+json';

/** Request bodies parsed as JSON: Confluent's types, plain JSON, and any other `+json`. */
export const ACCEPTED_BODY_TYPES = [
  'application/vnd.schemaregistry.v1+json',
  'application/vnd.schemaregistry+json',
  'application/json',
  'application/*+json',
  'application/octet-stream',
];

/** Sets the registry content type on every answer of the registry controllers. */
@Injectable()
export class RegistryContentTypeInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    context.switchToHttp().getResponse<Response>().setHeader('Content-Type', REGISTRY_CONTENT_TYPE);
    return next.handle();
  }
}
