import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, existsSync, readFileSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';

/** Repository root (this file lives in bench/support or dist/bench/support). */
export const REPO_ROOT = ((): string => {
  let dir = __dirname;
  while (!existsSync(join(dir, 'package.json')) || dir.endsWith('/dist')) dir = join(dir, '..');
  return dir;
})();

/** The compiled entry point of an app (`npm run build` makes it). */
export function builtApp(app: string): string {
  const file = join(REPO_ROOT, 'dist', 'apps', app, 'src', 'main.js');
  if (!existsSync(file)) throw new Error(`${file} is missing: run \`npm run build\` first`);
  return file;
}

export { freePort } from '@stylestream/test-support';

/**
 * One app run as a child process (`node dist/apps/<app>/src/main.js`) with an
 * environment, its stdout/stderr appended to `logFile`. Can be started again
 * after it exits or is killed; `kill9` is SIGKILL (no shutdown hooks run).
 */
export class AppProcess {
  private child: ChildProcess | undefined;
  private exit: Promise<number | null> | undefined;
  private log: WriteStream | undefined;
  starts = 0;

  constructor(
    readonly name: string,
    private readonly script: string,
    private readonly env: Record<string, string>,
    private readonly logFile: string,
  ) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  start(): void {
    if (this.running) throw new Error(`${this.name} is already running`);
    this.log ??= createWriteStream(this.logFile, { flags: 'a' });
    this.log.write(`--- ${new Date().toISOString()} start #${++this.starts}\n`);
    const child = spawn(process.execPath, [this.script], { cwd: REPO_ROOT, env: { ...process.env, ...this.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.pipe(this.log, { end: false });
    child.stderr.pipe(this.log, { end: false });
    this.exit = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    this.child = child;
  }

  /** SIGKILL and wait until it is gone. */
  async kill9(): Promise<void> {
    if (!this.running) return;
    this.child?.kill('SIGKILL');
    await this.exit;
  }

  /** SIGTERM (graceful stop), SIGKILL after `graceMs`. */
  async stop(graceMs = 30_000): Promise<void> {
    if (!this.running) return;
    this.child?.kill('SIGTERM');
    const timer = setTimeout(() => this.child?.kill('SIGKILL'), graceMs);
    await this.exit;
    clearTimeout(timer);
  }

  async close(): Promise<void> {
    await this.stop();
    const log = this.log;
    this.log = undefined;
    if (log !== undefined) await new Promise<void>((resolve) => log.end(() => resolve()));
  }

  /** Resident set size of the process (all its threads) in bytes, from /proc. */
  rssBytes(): number {
    const pid = this.child?.pid;
    if (pid === undefined || !this.running) return 0;
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match === null ? 0 : Number(match[1]) * 1024;
  }

  /** The last lines of its log (for failure messages). */
  tail(lines = 30): string {
    if (!existsSync(this.logFile)) return '';
    return readFileSync(this.logFile, 'utf8').split('\n').slice(-lines).join('\n');
  }
}

/** Environment shared by child apps in tests and benchmarks: fast group rebalances, short fetch waits. */
export function fastKafkaEnv(brokers: readonly string[], registryUrl: string): Record<string, string> {
  return {
    KAFKA_BROKERS: brokers.join(','),
    SCHEMA_REGISTRY_URL: registryUrl,
    KAFKA_RETRY_PROFILE: 'test',
    KAFKA_MAX_WAIT_MS: '100',
    KAFKA_SESSION_TIMEOUT_MS: '6000',
    KAFKA_HEARTBEAT_INTERVAL_MS: '500',
    KAFKAJS_NO_PARTITIONER_WARNING: '1',
    LOG_LEVEL: 'info',
  };
}
