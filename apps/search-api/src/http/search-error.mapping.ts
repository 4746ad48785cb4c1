import { HttpStatus } from '@nestjs/common';
import type { Logger } from 'pino';
import { InvalidInputError } from '@stylestream/errors';
import { HttpErrorFilter, type ErrorBody } from '@stylestream/http';
import { ImageUnreachableError } from '@stylestream/storage';
import { OwnerRejectedError } from '../domain/owner-rejected.error';
import { ImageNotIndexedError } from '../domain/stored-vector.lookup';

/** Statuses of the query-image failures (decode and URL fetch), by error code; any other InvalidInputError is a 400. */
const IMAGE_STATUS: Record<string, number> = {
  IMAGE_PIXELS_OVER_LIMIT: HttpStatus.PAYLOAD_TOO_LARGE,
  IMAGE_TOO_LARGE: HttpStatus.PAYLOAD_TOO_LARGE,
  IMAGE_FORMAT_UNSUPPORTED: HttpStatus.UNSUPPORTED_MEDIA_TYPE,
  IMAGE_DECODE_FAILED: HttpStatus.UNPROCESSABLE_ENTITY,
  IMAGE_EMPTY: HttpStatus.UNPROCESSABLE_ENTITY,
  IMAGE_NOT_FOUND: HttpStatus.UNPROCESSABLE_ENTITY,
  IMAGE_FETCH_REJECTED: HttpStatus.UNPROCESSABLE_ENTITY,
};

/** The `code` of an error's cause (a Node system error such as ENOTFOUND), if any. */
function causeCode(err: Error): string | undefined {
  const cause = err.cause as { code?: unknown } | undefined;
  return typeof cause?.code === 'string' ? cause.code : undefined;
}

/**
 * The shared error mapping plus the search API's own: query-image problems
 * (413 over a limit, 415 not an image, 422 undecodable or unfetchable or its
 * host unknown to DNS, 502 the URL's host failing), 404 for an image not in the index or a model version no
 * owner has, and a shard owner's 400 passed through.
 */
export function searchErrorFilter(logger: Logger): HttpErrorFilter {
  return new HttpErrorFilter(logger, {
    map: (exception): [number, ErrorBody] | undefined => {
      if (exception instanceof ImageNotIndexedError) return [HttpStatus.NOT_FOUND, { error: 'not_indexed', reason: exception.message }];
      if (exception instanceof OwnerRejectedError) {
        return exception.status === 404
          ? [HttpStatus.NOT_FOUND, { error: 'unknown_model_version', reason: exception.reason }]
          : [HttpStatus.BAD_REQUEST, { error: 'rejected_by_shard_owner', reason: exception.reason }];
      }
      if (exception instanceof ImageUnreachableError) {
        // A host that does not resolve names no server at all: the client's URL is wrong (422, no retry helps), not a failing upstream (502).
        if (causeCode(exception) === 'ENOTFOUND') return [HttpStatus.UNPROCESSABLE_ENTITY, { error: 'image_host_unknown', reason: exception.message }];
        return [HttpStatus.BAD_GATEWAY, { error: 'image_unreachable', reason: exception.message, retriable: true }];
      }
      if (exception instanceof InvalidInputError) {
        const status = IMAGE_STATUS[exception.code];
        if (status !== undefined) return [status, { error: exception.code.toLowerCase(), reason: exception.message }];
      }
      return undefined;
    },
  });
}
