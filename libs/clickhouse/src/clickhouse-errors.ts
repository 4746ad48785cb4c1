import { DependencyUnavailableError, InvalidInputError } from '@stylestream/errors';

/**
 * ClickHouse error codes that mean the statement itself is wrong (retrying
 * cannot help): syntax, unknown identifiers, type mismatch, bad arguments.
 */
const STATEMENT_ERROR_CODES = new Set(['27', '36', '43', '46', '47', '53', '60', '62', '386']);

/**
 * Maps a client error to the hierarchy: a rejected statement is
 * InvalidInputError (not retriable, a bug or bad input); anything else
 * (connection refused, timeout, server overloaded, engine failure) is
 * DependencyUnavailableError, so a consumer pauses and retries.
 */
export function toClickHouseError(err: unknown, what: string): Error {
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && STATEMENT_ERROR_CODES.has(code)) {
    return new InvalidInputError(`clickhouse rejected ${what}`, 'CLICKHOUSE_STATEMENT', err);
  }
  return new DependencyUnavailableError('clickhouse', `${what} failed`, err);
}
