import { DependencyUnavailableError, InvalidInputError } from '@stylestream/errors';

/** Compatibility levels of the Confluent REST API. */
export type CompatibilityLevel = 'NONE' | 'BACKWARD' | 'BACKWARD_TRANSITIVE' | 'FORWARD' | 'FORWARD_TRANSITIVE' | 'FULL' | 'FULL_TRANSITIVE';

/** A non-2xx answer of the registry, with Confluent's `error_code` (e.g. 40401, 409, 42201). */
export class RegistryResponseError extends InvalidInputError {
  constructor(
    readonly status: number,
    readonly errorCode: number,
    message: string,
  ) {
    super(message, status === 409 ? 'SCHEMA_INCOMPATIBLE' : status === 422 ? 'SCHEMA_INVALID' : status === 404 ? 'SUBJECT_UNKNOWN' : 'SCHEMA_REGISTRY_REJECTED');
  }
}

/** Result of a compatibility test of one schema against one registered version. */
export interface CompatibilityVerdict {
  compatible: boolean;
  /** Reasons given by the registry (verbose mode), if any. */
  messages: string[];
}

const CONTENT_TYPE = 'application/vnd.schemaregistry.v1+json';

/**
 * A thin client of the Confluent Schema Registry REST API for the operations
 * the gateway's library does not expose (compatibility config and tests,
 * deletes). Used by the schemas CLI and tests. Errors: RegistryResponseError
 * (non-retriable InvalidInputError) for a 4xx answer, DependencyUnavailableError
 * for network failures, timeouts and 5xx.
 */
export class RegistryRestClient {
  private readonly baseUrl: string;

  constructor(
    url: string,
    private readonly options: { auth?: { username: string; password: string }; timeoutMs?: number } = {},
  ) {
    this.baseUrl = url.replace(/\/+$/, '');
  }

  /** PUT /config/{subject}: sets the subject's compatibility level. */
  async setCompatibility(subject: string, level: CompatibilityLevel): Promise<void> {
    await this.request('PUT', `/config/${encodeURIComponent(subject)}`, { compatibility: level });
  }

  /** POST /subjects/{subject}/versions: registers a schema and returns its global id (same schema → same id). */
  async register(subject: string, schema: string): Promise<number> {
    const body = (await this.request('POST', `/subjects/${encodeURIComponent(subject)}/versions`, { schema })) as { id: number };
    return body.id;
  }

  /** POST /subjects/{subject}: the registered version of `schema` under the subject (40403 if not registered there). */
  async lookup(subject: string, schema: string): Promise<{ id: number; version: number }> {
    return (await this.request('POST', `/subjects/${encodeURIComponent(subject)}`, { schema })) as { id: number; version: number };
  }

  /** GET /subjects/{subject}/versions/{version}: id, version number and schema text. */
  async version(subject: string, version: number | 'latest'): Promise<{ id: number; version: number; schema: string }> {
    return (await this.request('GET', `/subjects/${encodeURIComponent(subject)}/versions/${version}`)) as { id: number; version: number; schema: string };
  }

  /** GET /subjects/{subject}/versions: registered version numbers; [] for an unknown subject. */
  async versions(subject: string): Promise<number[]> {
    try {
      return (await this.request('GET', `/subjects/${encodeURIComponent(subject)}/versions`)) as number[];
    } catch (err) {
      if (err instanceof RegistryResponseError && err.errorCode === 40401) return [];
      throw err;
    }
  }

  /**
   * POST /compatibility/subjects/{subject}/versions/{version}?verbose=true: may `schema`
   * be registered after that version under the subject's compatibility level?
   * Returns null when the subject (40401) or version (40402) does not exist.
   */
  async testCompatibility(subject: string, schema: string, version: number | 'latest' = 'latest'): Promise<CompatibilityVerdict | null> {
    try {
      const body = (await this.request('POST', `/compatibility/subjects/${encodeURIComponent(subject)}/versions/${version}?verbose=true`, { schema })) as {
        is_compatible: boolean;
        messages?: unknown;
      };
      return { compatible: body.is_compatible, messages: Array.isArray(body.messages) ? body.messages.map(String) : [] };
    } catch (err) {
      if (err instanceof RegistryResponseError && (err.errorCode === 40401 || err.errorCode === 40402)) return null;
      throw err;
    }
  }

  /** DELETE /subjects/{subject} (soft, then permanent): for cleaning up throw-away subjects. */
  async deleteSubject(subject: string): Promise<void> {
    await this.request('DELETE', `/subjects/${encodeURIComponent(subject)}`);
    await this.request('DELETE', `/subjects/${encodeURIComponent(subject)}?permanent=true`);
  }

  private async request(method: string, path: string, body?: unknown): Promise<unknown> {
    const headers: Record<string, string> = { accept: `${CONTENT_TYPE}, application/json` };
    if (body !== undefined) headers['content-type'] = CONTENT_TYPE;
    if (this.options.auth !== undefined) {
      headers.authorization = `Basic ${Buffer.from(`${this.options.auth.username}:${this.options.auth.password}`).toString('base64')}`;
    }
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}${path}`, {
        method,
        headers,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
      });
    } catch (err) {
      const cause = err instanceof Error && err.cause instanceof Error ? `: ${err.cause.message}` : '';
      throw new DependencyUnavailableError('schema-registry', `${method} ${this.baseUrl}${path} failed (${(err as Error).message}${cause})`, err);
    }
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text.length > 0 ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    if (response.ok) return parsed;
    const errorBody = (parsed ?? {}) as { error_code?: unknown; message?: unknown };
    const message = `${method} ${path} → ${response.status}: ${typeof errorBody.message === 'string' ? errorBody.message : text.slice(0, 200)}`;
    if (response.status >= 500) throw new DependencyUnavailableError('schema-registry', message);
    throw new RegistryResponseError(response.status, typeof errorBody.error_code === 'number' ? errorBody.error_code : response.status, message);
  }
}
