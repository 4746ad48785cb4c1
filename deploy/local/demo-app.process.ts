import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readSync, rmSync, statSync, writeFileSync, renameSync } from 'node:fs';
import { dirname } from 'node:path';
import { healthy, unhealthy, waitHealthy, type ProbeResult } from './process/health-wait';
import { probeHttp } from './process/http-probe';
import { tailFile } from './process/log-tail';
import { describePortInUse, findPortOwners, isPortFree } from './process/port-probe';
import { StackError } from './stack-error';

export interface DemoAppLaunch {
  /** Short name, e.g. `catalog`; used in messages. */
  name: string;
  /** The built entry, e.g. dist/apps/catalog/src/main.js. */
  entry: string;
  /** HTTP port (PORT), probed at GET /health. Stages without HTTP (extractor, dedupe, index-writer) have none and set `readyLog`. */
  port?: number;
  /**
   * Without a port: text of the log line that says the app is ready (e.g. the
   * stage consumer's `stage consumer started`); looked for in what the process
   * appended to `logFile` since it started.
   */
  readyLog?: string;
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
  /** Startup deadline (default 180 s: seven apps booting at once on a loaded 2-core machine took over 60 s each). */
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

  /** `http://127.0.0.1:<port>`; '' for an app without HTTP. */
  get url(): string {
    return this.launch.port === undefined ? '' : `http://127.0.0.1:${this.launch.port}`;
  }

  async start(): Promise<void> {
    const { name, port, entry, env, logFile } = this.launch;
    if (port !== undefined && !(await isPortFree(port))) throw new StackError(`${name}: ${describePortInUse(port, findPortOwners(port))}; pass another port (see --help)`);
    mkdirSync(dirname(logFile), { recursive: true });
    const logStart = existsSync(logFile) ? statSync(logFile).size : 0;
    const out = openSync(logFile, 'a');
    try {
      const http = port === undefined ? {} : { PORT: String(port), HOST: '127.0.0.1' };
      this.child = spawn(process.execPath, [entry], {
        env: { ...process.env, ...env, ...http, LOG_LEVEL: process.env.LOG_LEVEL ?? 'info' },
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
    const probe = port === undefined ? () => Promise.resolve(this.logSays(logStart)) : () => probeHttp(`${this.url}/health`);
    await waitHealthy(probe, {
      what: name,
      deadlineMs: this.launch.deadlineMs ?? 180_000,
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

  /** Whether the log, from byte `from` on, holds the ready line. */
  private logSays(from: number): ProbeResult {
    const line = this.launch.readyLog;
    if (line === undefined) return unhealthy('neither a port nor a ready log line to wait for');
    if (!existsSync(this.launch.logFile)) return unhealthy('no log yet');
    const size = statSync(this.launch.logFile).size;
    const buffer = Buffer.alloc(Math.max(0, size - from));
    const fd = openSync(this.launch.logFile, 'r');
    try {
      readSync(fd, buffer, 0, buffer.length, from);
    } finally {
      closeSync(fd);
    }
    return buffer.toString('utf8').includes(line) ? healthy() : unhealthy(`no "${line}" in its log yet`);
  }

  /** Written atomically (temp file + rename), so Prometheus never reads half a file. */
  private writeTarget(): void {
    const file = this.launch.scrapeTargetFile;
    if (file === undefined || this.exit !== undefined || this.launch.port === undefined) return;
    mkdirSync(dirname(file), { recursive: true });
    const temp = `${file}.tmp`;
    writeFileSync(temp, `${JSON.stringify([{ targets: [`127.0.0.1:${this.launch.port}`], labels: { app: this.launch.name, started_by: 'demo' } }], null, 2)}\n`);
    renameSync(temp, file);
  }

  private removeTarget(): void {
    for (const file of [this.launch.scrapeTargetFile, ...(this.launch.removeOnExit ?? [])]) if (file !== undefined) rmSync(file, { force: true });
  }
}
