import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..', '..');
export const BUILT_ANALYTICS = join(ROOT, 'dist/apps/analytics/src/main.js');

/**
 * The analytics app as a child process (the built entry), so a test can kill
 * it with SIGKILL mid-work. Keeps the last lines of its output for failure
 * messages.
 */
export class AnalyticsAppProcess {
  private child?: ChildProcess;
  private exited?: Promise<number | null>;
  private readonly output: string[] = [];

  constructor(private readonly env: Record<string, string>) {
    if (!existsSync(BUILT_ANALYTICS)) throw new Error(`${BUILT_ANALYTICS} is missing: run \`npm run build\` first (test/run.sh does)`);
  }

  start(): void {
    const child = spawn(process.execPath, [BUILT_ANALYTICS], { env: { ...process.env, ...this.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (chunk: Buffer): void => {
      this.output.push(...chunk.toString('utf8').split('\n').filter((l) => l.length > 0));
      this.output.splice(0, Math.max(0, this.output.length - 40));
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => {
      if (signal !== null) this.output.push(`exited on ${signal}`);
      resolve(code);
    }));
    this.child = child;
  }

  /** SIGKILL: no shutdown hook runs, whatever was in flight is lost. */
  async kill9(): Promise<void> {
    this.child?.kill('SIGKILL');
    await this.exited;
    this.child = undefined;
  }

  /** SIGTERM and wait for the exit (the app stops consuming, writes what waits, closes the engine). */
  async stop(): Promise<number | null> {
    if (this.child === undefined) return null;
    this.child.kill('SIGTERM');
    const code = await this.exited;
    this.child = undefined;
    return code ?? null;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null;
  }

  tail(): string {
    return this.output.join('\n');
  }
}
