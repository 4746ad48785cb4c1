import { errors } from '@elastic/elasticsearch';
import { DependencyUnavailableError, InternalError, InvalidInputError } from '@stylestream/errors';

/** HTTP statuses of Elasticsearch that retrying can fix: overload (429) and server-side failures (5xx). */
export function isRetriableStatus(status: number): boolean {
  return status === 429 || status >= 500;
}

/**
 * Maps a failed Elasticsearch request (the whole request, not a bulk item) to
 * the error hierarchy: connection errors, timeouts, 429 and 5xx are
 * DependencyUnavailableError (the partition pauses); anything else is a bug
 * in the request (InternalError, dead-lettered).
 */
export function classifyRequestError(err: unknown, what: string): Error {
  if (err instanceof errors.ConnectionError || err instanceof errors.TimeoutError || err instanceof errors.NoLivingConnectionsError) {
    return new DependencyUnavailableError('elasticsearch', `${what}: ${err.message}`, err);
  }
  if (err instanceof errors.ResponseError) {
    const status = err.meta.statusCode ?? 0;
    if (isRetriableStatus(status)) return new DependencyUnavailableError('elasticsearch', `${what}: HTTP ${status}`, err);
    return new InternalError(`${what}: HTTP ${status} ${err.message}`, err);
  }
  if (typeof err === 'object' && err !== null && (err as { retriable?: unknown }).retriable === true) {
    return new DependencyUnavailableError('elasticsearch', what, err);
  }
  return new InternalError(`${what} failed`, err);
}

/** A bulk item's error object, as Elasticsearch returns it. */
export interface BulkItemError {
  type?: string;
  reason?: string | null;
  caused_by?: { type?: string; reason?: string | null };
}

/** Maps a failed bulk item (not 409, handled by the caller) to a retriable or a per-document error. */
export function classifyItemError(status: number, error: BulkItemError | undefined, id: string): Error {
  const cause = error?.caused_by?.reason ? ` (caused by ${error.caused_by.type ?? 'error'}: ${error.caused_by.reason})` : '';
  const reason = `${error?.type ?? 'error'}: ${error?.reason ?? 'no reason'}${cause}`;
  if (isRetriableStatus(status)) return new DependencyUnavailableError('elasticsearch', `document ${id}: HTTP ${status} ${reason}`);
  return new InvalidInputError(`elasticsearch rejected document ${id}: HTTP ${status} ${reason}`, 'CATALOG_DOCUMENT_REJECTED');
}
