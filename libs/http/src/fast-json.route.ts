import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { httpRequestDuration } from '@stylestream/metrics';
import type { ErrorBody } from './http-error.filter';

/**
 * One JSON POST route answered straight from the Node HTTP server, before
 * Express and Nest see the request. For the hottest internal routes only
 * (a shard owner's k-NN): on a busy 2-core machine Express + Nest add about a
 * millisecond per request, the same order as the work itself. The contract is
 * the framework's: the same JSON body limits and error bodies (`toError` is
 * the app's HttpErrorFilter mapping), 503 with `Retry-After: 1`, 5xx logged,
 * and the same `stylestream_http_request_duration_seconds` series.
 */
export interface FastJsonRoute {
  /** Exact path; a query string is ignored. */
  readonly path: string;
  readonly maxBodyBytes: number;
  /** Checked before the body is read (API key, rate limit): a rejection is answered as it is. */
  admit?(req: IncomingMessage): FastRejection | undefined;
  /** Error bodies for a body over the limit and one that is not JSON (default: body_too_large / invalid_body). */
  readonly bodyErrors?: BodyErrors;
  handle(body: unknown): Promise<unknown>;
  toError(exception: unknown): [number, ErrorBody];
}

/** An answer given instead of handling the request. */
export interface FastRejection {
  readonly status: number;
  readonly body: ErrorBody;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface BodyErrors {
  tooLarge(limit: number): ErrorBody;
  invalid(message: string): ErrorBody;
}

const DEFAULT_BODY_ERRORS: BodyErrors = {
  tooLarge: (limit) => ({ error: 'body_too_large', reason: `body: request entity too large (limit ${limit} bytes)` }),
  invalid: (message) => ({ error: 'invalid_body', reason: `body: ${message}` }),
};

/** Puts the routes in front of the server's existing request listeners (Express); every other request reaches them unchanged. */
export function serveFastJsonRoutes(server: Server, routes: readonly FastJsonRoute[], logger: Logger): void {
  const byPath = new Map(routes.map((r) => [r.path, r]));
  const framework = server.listeners('request') as ((req: IncomingMessage, res: ServerResponse) => void)[];
  server.removeAllListeners('request');
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const route = req.method === 'POST' && isJson(req) ? byPath.get(pathOf(req.url)) : undefined;
    if (route === undefined) {
      for (const listener of framework) listener.call(server, req, res);
      return;
    }
    void answer(route, req, res, logger);
  });
}

function pathOf(url: string | undefined): string {
  const raw = url ?? '/';
  const q = raw.indexOf('?');
  return q < 0 ? raw : raw.slice(0, q);
}

/** application/json or +json; other bodies go to the framework, which answers them as it always does. */
function isJson(req: IncomingMessage): boolean {
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  return type === 'application/json' || type.endsWith('+json');
}

async function answer(route: FastJsonRoute, req: IncomingMessage, res: ServerResponse, logger: Logger): Promise<void> {
  const stopTimer = httpRequestDuration.startTimer();
  res.once('finish', () => stopTimer({ method: 'POST', route: route.path, status_code: String(res.statusCode) }));
  const rejection = route.admit?.(req);
  if (rejection !== undefined) {
    req.resume();
    send(res, rejection.status, rejection.body, rejection.headers);
    return;
  }
  let status = 200;
  let body: unknown;
  try {
    const parsed = await readJson(req, route.maxBodyBytes, route.bodyErrors ?? DEFAULT_BODY_ERRORS);
    body = parsed.ok ? await route.handle(parsed.value) : parsed.error;
    if (!parsed.ok) status = parsed.status;
  } catch (err) {
    [status, body] = route.toError(err);
    if (status >= 500) logger.error({ err, status }, 'request failed');
  }
  send(res, status, body, status === 503 ? { 'retry-after': '1' } : undefined);
}

function send(res: ServerResponse, status: number, body: unknown, extra?: Readonly<Record<string, string>>): void {
  const json = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(json), ...extra }).end(json);
}

type ReadResult = { ok: true; value: unknown } | { ok: false; status: number; error: ErrorBody };

/** The body as JSON, within the limit (413 past it, 400 when it is not JSON), like express.json. */
function readJson(req: IncomingMessage, limit: number, errors: BodyErrors): Promise<ReadResult> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? Number.NaN);
    const tooLarge = (): ReadResult => ({ ok: false, status: 413, error: errors.tooLarge(limit) });
    if (declared > limit) {
      req.resume();
      resolve(tooLarge());
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) over = true;
      else chunks.push(chunk);
    });
    req.on('error', reject);
    req.on('end', () => {
      if (over) {
        resolve(tooLarge());
        return;
      }
      try {
        resolve({ ok: true, value: JSON.parse(Buffer.concat(chunks, size).toString('utf8')) as unknown });
      } catch (err) {
        resolve({ ok: false, status: 400, error: errors.invalid((err as Error).message) });
      }
    });
  });
}
