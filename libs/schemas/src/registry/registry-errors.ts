import { ConfigError, DependencyUnavailableError, InvalidInputError, StyleStreamError } from '@stylestream/errors';

const NETWORK_FAILURE = /ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|EPIPE|socket hang up|timeout/i;

/** HTTP status of an error thrown by the registry client (mappersmith ResponseError), if any. */
function statusOf(err: unknown): number | undefined {
  if (typeof err === 'object' && err !== null && 'status' in err) {
    const { status } = err;
    if (typeof status === 'number') return status;
  }
  return undefined;
}

/**
 * Maps an error from the registry client onto the project's hierarchy.
 * `notFoundCode` is the InvalidInputError code a 404 means in this call
 * (e.g. SCHEMA_UNKNOWN when looking up a schema id). The client reports
 * network failures as status 400 with the socket error in the message.
 */
export function mapRegistryError(err: unknown, action: string, notFoundCode = 'SCHEMA_UNKNOWN'): StyleStreamError {
  if (err instanceof StyleStreamError) return err;
  const message = err instanceof Error ? err.message : String(err);
  const status = statusOf(err);
  const what = `schema registry ${action} failed: ${message}`;
  if (status === undefined || status >= 500 || status === 408 || status === 429 || (status === 400 && NETWORK_FAILURE.test(message))) {
    if (status === undefined && err instanceof Error && err.name.startsWith('ConfluentSchemaRegistry')) {
      return new InvalidInputError(what, 'SCHEMA_REGISTRY_REJECTED', err);
    }
    return new DependencyUnavailableError('schema-registry', `${action} failed: ${message}`, err);
  }
  if (status === 401 || status === 403) return new ConfigError([`SCHEMA_REGISTRY credentials rejected (${status}) during ${action}`]);
  if (status === 404) return new InvalidInputError(what, notFoundCode, err);
  if (status === 409) return new InvalidInputError(what, 'SCHEMA_INCOMPATIBLE', err);
  if (status === 422) return new InvalidInputError(what, 'SCHEMA_INVALID', err);
  return new InvalidInputError(what, 'SCHEMA_REGISTRY_REJECTED', err);
}
