import { InvalidInputError, StyleStreamError } from '@stylestream/errors';

/** Codes of image fetches that can never succeed as sent (dead-lettered on the first attempt). */
export const IMAGE_FETCH_CODES = {
  invalidUri: 'IMAGE_URI_INVALID',
  unsupportedScheme: 'UNSUPPORTED_SCHEME',
  notFound: 'IMAGE_NOT_FOUND',
  rejected: 'IMAGE_FETCH_REJECTED',
  tooLarge: 'IMAGE_TOO_LARGE',
  empty: 'IMAGE_EMPTY',
} as const;

export function imageFetchRejected(code: (typeof IMAGE_FETCH_CODES)[keyof typeof IMAGE_FETCH_CODES], message: string, cause?: unknown): InvalidInputError {
  return new InvalidInputError(message, code, cause);
}

/**
 * The image's host timed out or answered 5xx on every in-process attempt.
 * Retriable, but deliberately NOT a DependencyUnavailableError: one dead URL
 * must not pause the partition without limit. The consumer retries it under
 * its RetryPolicy (maxAttempts) and then dead-letters it.
 */
export class ImageUnreachableError extends StyleStreamError {
  readonly code = 'IMAGE_UNREACHABLE';
  constructor(
    readonly uri: string,
    message: string,
    cause?: unknown,
  ) {
    super(`${uri}: ${message}`, { retriable: true, cause });
  }
}
