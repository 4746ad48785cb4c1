import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import { metricsRegistry } from './pipeline-metrics';

/** Answer of a readiness check: ready, or not ready with a reason a person can act on. */
export type Readiness = { readonly ready: true } | { readonly ready: false; readonly reason: string };

/**
 * Tells whether the process can do its work now (e.g. its consumer joined the
 * group, its state is restored). Called on every GET /readyz; must be cheap and
 * must not throw (a throw is reported as not ready with the error's message).
 */
export type ReadinessCheck = () => Readiness | Promise<Readiness>;

export interface OpsHttpServerOptions {
  /** 0 lets the OS pick a free port (tests); the chosen one is `OpsHttpServer.port`. */
  readonly port: number;
  /** Default 127.0.0.1. Use 0.0.0.0 in a container so Prometheus can reach it. */
  readonly host?: string;
  /** Default: always ready once listening. */
  readonly readiness?: ReadinessCheck;
  /** Default: the process-wide `metricsRegistry`. */
  readonly registry?: Registry;
}

/** The operations endpoints of a process that has no HTTP API of its own (the Kafka stages). */
export interface OpsHttpServer {
  /** The port actually bound (differs from the option when that was 0). */
  readonly port: number;
  /** `http://<host>:<port>`. */
  readonly url: string;
  /** Stops accepting connections and resolves when open ones are closed. Idempotent. */
  close(): Promise<void>;
}

export const READY: Readiness = { ready: true };

/**
 * Serves, on a port of its own, without Nest:
 * - `GET /metrics` — Prometheus text exposition of the registry;
 * - `GET /healthz` (alias `/health`) — liveness: 200 while the process serves HTTP;
 * - `GET /readyz` — 200 `{status:"ready"}` or 503 `{status:"not-ready",reason}` from `readiness`.
 * Anything else is 404 (unknown path) or 405 (not GET/HEAD). Resolves once
 * listening; rejects when the port cannot be bound (e.g. EADDRINUSE).
 */
export async function startOpsHttpServer(options: OpsHttpServerOptions): Promise<OpsHttpServer> {
  const registry = options.registry ?? metricsRegistry;
  const readiness = options.readiness ?? (() => READY);
  const host = options.host ?? '127.0.0.1';
  const server = createServer((req, res) => {
    route(req, res, registry, readiness).catch((err: unknown) => json(res, 500, { status: 'error', reason: messageOf(err) }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  let closing: Promise<void> | undefined;
  return {
    port,
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    close: () => (closing ??= closeServer(server)),
  };
}

async function route(req: IncomingMessage, res: ServerResponse, registry: Registry, readiness: ReadinessCheck): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('Allow', 'GET, HEAD');
    return json(res, 405, { status: 'error', reason: `${req.method ?? '?'} is not allowed; use GET` });
  }
  const path = (req.url ?? '/').split('?')[0];
  switch (path) {
    case '/metrics': {
      const body = await registry.metrics();
      res.writeHead(200, { 'Content-Type': registry.contentType, 'Cache-Control': 'no-store' });
      res.end(req.method === 'HEAD' ? undefined : body);
      return;
    }
    case '/healthz':
    case '/health':
      return json(res, 200, { status: 'ok' });
    case '/readyz': {
      let answer: Readiness;
      try {
        answer = await readiness();
      } catch (err) {
        answer = { ready: false, reason: `readiness check failed: ${messageOf(err)}` };
      }
      return answer.ready ? json(res, 200, { status: 'ready' }) : json(res, 503, { status: 'not-ready', reason: answer.reason });
    }
    default:
      return json(res, 404, { status: 'error', reason: `no route ${path}; this port serves /metrics, /healthz, /readyz` });
  }
}

function json(res: ServerResponse, status: number, body: object): void {
  if (res.headersSent) return void res.end();
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(JSON.stringify(body));
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function closeServer(server: Server): Promise<void> {
  return new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
  });
}
