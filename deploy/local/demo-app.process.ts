import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, rmSync, writeFileSync, renameSync } from 'node:fs';
import { dirname } from 'node:path';
import { waitHealthy } from './process/health-wait';
import { probeHttp } from './process/http-probe';
import { tailFile } from './process/log-tail';
import { describePortInUse, findPortOwners, isPortFree } from './process/port-probe';
import { StackError } from './stack-error';

export interface DemoAppLaunch {
  /** Short name, e.g. `catalog`; used in messages. */
  name: string;
  /** The built entry, e.g. dist/apps/catalog/src/main.js. */
  entry: string;
  port: number;
  /** The app's own variables (KAFKA_BROKERS, topics, ...); PORT and HOST are added. */
  env: Record<string, string>;
  logFile: string;
  /**
   * When set, a Prometheus file_sd target file for `127.0.0.1:<port>` (label
   * app=<name>) is written here once the app is healthy and removed when it stops.
   */
  scrapeTargetFile?: string;
  /**
   * Files the app writes itself and should remove when it ends (the lag
   * monitor's own target file); the demo removes them too once the process has
   * ended, because a process killed by a signal may not.
   */
  removeOnExit?: string[];
  /** Startup deadline (default 60 s). */
  deadlineMs?: number;
}

/**
 * One app of the chain as a child of the demo (same process group, so a
 * terminal Ctrl-C reaches it too), its output appended to `logFile`.
 * `start` resolves once GET /health answers, and fails with the log tail when
 * the port is taken, the process exits, or the deadline passes. `stop` is
 * idempotent: SIGTERM, then SIGKILL after 10 s; it removes the scrape target.
 */
export class DemoAppProcess {
  private child: ChildProcess | undefined;
  private exit: string | undefined;
  private onEnd: (how: string) => void = () => undefined;
  /** Resolves with a description of how the process ended (also when it was stopped); never rejects. */
  readonly ended: Promise<string>;

  constructor(readonly launch: DemoAppLaunch) {
    this.ended = new Promise<string>((resolve) => {
      this.onEnd = resolve;
    });
  }

  get name(): string {
    return this.launch.name;
  }

  get url(): string {
    return `http://127.0.0.1:${this.launch.port}`;
  }

  async start(): Promise<void> {
    const { name, port, entry, env, logFile } = this.launch;
    if (!(await isPortFree(port))) throw new StackError(`${name}: ${describePortInUse(port, findPortOwners(port))}; pass another port (see --help)`);
    mkdirSync(dirname(logFile), { recursive: true });
    const out = openSync(logFile, 'a');
    try {
      this.child = spawn(process.execPath, [entry], {
        env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: process.env.LOG_LEVEL ?? 'info' },
        stdio: ['ignore', out, out],
      });
    } finally {
      closeSync(out);
    }
    this.child.once('exit', (code, signal) => {
      this.exit = signal === null ? `exit code ${String(code)}` : `signal ${signal}`;
      this.removeTarget();
      this.onEnd(this.exit);
    });
    await waitHealthy(() => probeHttp(`${this.url}/health`), {
      what: name,
      deadlineMs: this.launch.deadlineMs ?? 60_000,
      exited: () => this.exit,
      logTail: () => tailFile(logFile, 15),
    });
    this.writeTarget();
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (child === undefined || this.exit !== undefined) return;
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await this.ended;
    clearTimeout(killer);
  }

  /** Written atomically (temp file + rename), so Prometheus never reads half a file. */
  private writeTarget(): void {
    const file = this.launch.scrapeTargetFile;
    if (file === undefined || this.exit !== undefined) return;
    mkdirSync(dirname(file), { recursive: true });
    const temp = `${file}.tmp`;
    writeFileSync(temp, `${JSON.stringify([{ targets: [`127.0.0.1:${this.launch.port}`], labels: { app: this.launch.name, started_by: 'demo' } }], null, 2)}\n`);
    renameSync(temp, file);
  }

  private removeTarget(): void {
    for (const file of [this.launch.scrapeTargetFile, ...(this.launch.removeOnExit ?? [])]) if (file !== undefined) rmSync(file, { force: true });
  }
}
