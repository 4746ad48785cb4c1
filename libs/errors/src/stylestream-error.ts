/**
 * The one error hierarchy of StyleStream. Every error says whether retrying the
 * same operation may succeed (`retriable`) and carries its `cause`.
 * Consumers retry only errors whose `retriable` is true (an allowlist); every
 * other error ends in a dead-letter record with `code` as its error class.
 */
export abstract class StyleStreamError extends Error {
  abstract readonly code: string;
  readonly retriable: boolean;

  constructor(message: string, options: { retriable?: boolean; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.retriable = options.retriable ?? false;
  }
}

/** A configuration variable is missing or invalid; the process must not start. */
export class ConfigError extends StyleStreamError {
  readonly code = 'CONFIG_INVALID';
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
  }
}

/** Input that can never be processed as sent (bad bytes, schema violation, bad field). */
export class InvalidInputError extends StyleStreamError {
  readonly code: string;
  constructor(message: string, code = 'INVALID_INPUT', cause?: unknown) {
    super(message, { retriable: false, cause });
    this.code = code;
  }
}

/** A dependency (broker, registry, store) is unavailable or slow; retrying may succeed. */
export class DependencyUnavailableError extends StyleStreamError {
  readonly code = 'DEPENDENCY_UNAVAILABLE';
  constructor(readonly dependency: string, message: string, cause?: unknown) {
    super(`${dependency}: ${message}`, { retriable: true, cause });
  }
}

/** A bug or broken invariant inside StyleStream; not retriable. */
export class InternalError extends StyleStreamError {
  readonly code = 'INTERNAL';
  constructor(message: string, cause?: unknown) {
    super(message, { retriable: false, cause });
  }
}

/** True when `err` may succeed on retry: a retriable StyleStreamError or a retriable kafkajs error. */
export function isRetriable(err: unknown): boolean {
  if (err instanceof StyleStreamError) return err.retriable;
  if (typeof err === 'object' && err !== null && 'retriable' in err) {
    return err.retriable === true;
  }
  return false;
}

/** The error class name recorded in dead-letter envelopes and logs. */
export function errorClassOf(err: unknown): string {
  if (err instanceof StyleStreamError) return err.code;
  if (err instanceof Error) return err.name;
  return 'UnknownError';
}

/** A one-line human-readable reason, including the cause chain. */
export function reasonOf(err: unknown): string {
  const parts: string[] = [];
  let current: unknown = err;
  for (let depth = 0; current !== undefined && current !== null && depth < 5; depth++) {
    parts.push(current instanceof Error ? current.message : typeof current === 'string' ? current : JSON.stringify(current));
    current = current instanceof Error ? current.cause : undefined;
  }
  return parts.join(' <- caused by: ');
}
