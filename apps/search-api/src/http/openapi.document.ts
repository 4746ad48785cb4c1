import type { OpenAPIObject } from '@nestjs/swagger';
import type { OperationObject, ResponseObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { errorSchema } from './openapi.schemas';

const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;
const errorResponse = (description: string): ResponseObject => ({ description, content: { 'application/json': { schema: errorSchema } } });

/**
 * States on every operation of the document what the middleware in front of
 * the controllers answers (the controllers, the shared catalogue one
 * included, declare only their own outcomes): on every /v1 route the API-key
 * check (security scheme `api-key`, 401) and the per-key rate limit (429); on
 * every POST the body reading (400 unreadable, 413 over a limit, 415 content
 * type not accepted). Existing declarations are kept. Mutates and returns
 * the document.
 */
export function declareMiddlewareAnswers(document: OpenAPIObject, securityScheme = 'api-key'): OpenAPIObject {
  for (const [path, item] of Object.entries(document.paths)) {
    if (!path.startsWith('/v1/')) continue;
    for (const method of METHODS) {
      const operation: OperationObject | undefined = item[method];
      if (operation === undefined) continue;
      if (!(operation.security ?? []).some((s) => securityScheme in s)) operation.security = [...(operation.security ?? []), { [securityScheme]: [] }];
      operation.responses['401'] ??= errorResponse('Missing or unknown x-api-key');
      operation.responses['429'] ??= errorResponse('The API key is over its rate limit (Retry-After)');
      if (method !== 'post') continue;
      operation.responses['400'] ??= errorResponse('The body is not valid JSON or multipart, or a parameter is invalid');
      operation.responses['413'] ??= errorResponse('The body is over its limit (SEARCH_MAX_JSON_BYTES, SEARCH_UPLOAD_MAX_BYTES)');
      operation.responses['415'] ??= errorResponse('Content type not accepted');
    }
  }
  return document;
}
