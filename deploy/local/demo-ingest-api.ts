import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, openSync, closeSync } from 'node:fs';
import { dirname } from 'node:path';
import { waitHealthy } from './process/health-wait';
import { probeHttp } from './process/http-probe';
import { tailFile } from './process/log-tail';
import { describePortInUse, findPortOwners, isPortFree } from './process/port-probe';
import { StackError } from './stack-error';

export interface IngestApiLaunch {
  /** The built entry, dist/apps/ingest/src/main.js. */
  entry: string;
  port: number;
  apiKey: string;
  /** KAFKA_BROKERS, SCHEMA_REGISTRY_URL and, for tests, INGEST_TOPIC. */
  env: Record<string, string>;
  logFile: string;
}

/**
 * The ingest HTTP API as a child of the demo (same process group, so a
 * terminal Ctrl-C reaches it too), its output appended to `logFile`.
 * `start` resolves once GET /health answers, and fails with the log tail when
 * the port is taken, the process exits, or 60 s pass. `stop` is idempotent:
 * SIGTERM, then SIGKILL after 10 s.
 */
export class DemoIngestApi {
  private child: ChildProcess | undefined;
  private exit: string | undefined;
  private onEnd: (how: string) => void = () => undefined;
  /** Resolves with a description of how the process ended (also when it was stopped); never rejects. */
  readonly ended: Promise<string>;

  constructor(private readonly launch: IngestApiLaunch) {
    this.ended = new Promise<string>((resolve) => {
      this.onEnd = resolve;
    });
  }

  get url(): string {
    return `http://127.0.0.1:${this.launch.port}`;
  }

  async start(): Promise<void> {
    const { port, entry, apiKey, env, logFile } = this.launch;
    if (!(await isPortFree(port))) throw new StackError(`ingest API: ${describePortInUse(port, findPortOwners(port))}; pass --port to use another`);
    mkdirSync(dirname(logFile), { recursive: true });
    const out = openSync(logFile, 'a');
    try {
      this.child = spawn(process.execPath, [entry], {
        env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1', INGEST_API_KEYS: apiKey, LOG_LEVEL: process.env.LOG_LEVEL ?? 'info' },
        stdio: ['ignore', out, out],
      });
    } finally {
      closeSync(out);
    }
    this.child.once('exit', (code, signal) => {
      this.exit = signal === null ? `exit code ${String(code)}` : `signal ${signal}`;
      this.onEnd(this.exit);
    });
    await waitHealthy(() => probeHttp(`${this.url}/health`), {
      what: 'ingest API',
      deadlineMs: 60_000,
      exited: () => this.exit,
      logTail: () => tailFile(logFile, 15),
    });
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (child === undefined || this.exit !== undefined) return;
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await this.ended;
    clearTimeout(killer);
  }
}
