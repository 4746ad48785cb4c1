import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { readPidRecord } from '../../deploy/local/process/pid-file';
import { clientEnvironment, loadStackSettings, type StackSettings } from '../../deploy/local/stack-settings';
import { StackLayout } from '../../deploy/local/stack-layout';

/**
 * Ports and folder of the chaos run's own stack: never the shared dev stack's
 * (Kafka 9092, registry 8081, ES 9200/9300, Prometheus 9090, Alertmanager
 * 9093, Kafka controller 19093). Each may be overridden by the same STACK_*
 * variable prefixed with CHAOS_ (e.g. CHAOS_STACK_KAFKA_PORT).
 */
export const CHAOS_STACK_DEFAULTS: Record<string, string> = {
  STACK_DIR: '.stack-chaos',
  STACK_KAFKA_PORT: '19092',
  STACK_KAFKA_CONTROLLER_PORT: '29093',
  STACK_SCHEMA_REGISTRY_PORT: '18081',
  STACK_ELASTICSEARCH_PORT: '19200',
  STACK_ELASTICSEARCH_TRANSPORT_PORT: '19300',
  STACK_PROMETHEUS_PORT: '19090',
  STACK_ALERTMANAGER_PORT: '19095',
  STACK_KAFKA_HEAP: '256m',
  STACK_ELASTICSEARCH_HEAP: '256m',
  // A loaded 2-core machine has taken more than the stack's 90 s default to bring a
  // 256 MB Elasticsearch to health; a correctness run waits rather than fails.
  STACK_ELASTICSEARCH_START_DEADLINE_S: '600',
  STACK_KAFKA_START_DEADLINE_S: '300',
  STACK_SCHEMA_REGISTRY_START_DEADLINE_S: '300',
};

/** The STACK_* variables of the private stack (CHAOS_STACK_* overrides each default). */
export function chaosStackEnv(environment: NodeJS.ProcessEnv = process.env): Record<string, string> {
  return Object.fromEntries(Object.entries(CHAOS_STACK_DEFAULTS).map(([name, value]) => [name, environment[`CHAOS_${name}`] ?? value]));
}

/**
 * The chaos run's private local stack, driven through the stack CLI
 * (`dist/deploy/local/stack-cli.js`) with its own STACK_DIR and ports. Faults
 * signal only the processes recorded in that STACK_DIR's pid files, so the
 * shared stack is never touched.
 */
export class PrivateStack {
  readonly settings: StackSettings;
  readonly stackEnv: Record<string, string>;
  private readonly layout: StackLayout;
  /** The stack CLI `up` in progress, if any: `down` ends it first (an abort while the stack starts). */
  private upInProgress: ChildProcess | undefined;

  constructor(
    readonly repoDir: string,
    readonly brokers: number,
    private readonly say: (line: string) => void,
  ) {
    this.stackEnv = chaosStackEnv();
    this.settings = loadStackSettings({ ...process.env, ...this.stackEnv }, repoDir);
    this.layout = new StackLayout(this.settings.stackDir);
  }

  /** KAFKA_BROKERS, SCHEMA_REGISTRY_URL, ELASTICSEARCH_URL, ... of this stack. */
  get clientEnv(): Record<string, string> {
    return clientEnvironment(this.settings, this.brokers);
  }

  /** Starts every service not running (idempotent: also restarts a killed one). */
  async up(): Promise<void> {
    await this.cli(['up', '--brokers', String(this.brokers)]);
  }

  /**
   * Stops every service of this stack. An `up` still in progress (a signal
   * while the stack starts) is ended first, so it cannot launch a service
   * after `down` has read the pid files.
   */
  async down(): Promise<void> {
    const up = this.upInProgress;
    if (up !== undefined && up.exitCode === null && up.signalCode === null) {
      const ended = new Promise<void>((resolve) => up.once('exit', () => resolve()));
      up.kill('SIGTERM');
      await ended;
    }
    await this.cli(['down']);
  }

  /** SIGKILL to the process group of a service of this stack (`kafka-2`, `elasticsearch`, ...). */
  kill(service: string): number {
    const record = readPidRecord(this.layout.pidFile(service));
    if (record === undefined) throw new Error(`${service} of the private stack has no pid file`);
    try {
      process.kill(-record.pid, 'SIGKILL');
    } catch {
      process.kill(record.pid, 'SIGKILL');
    }
    this.say(`  kill -9 ${service} (pid ${record.pid})`);
    return record.pid;
  }

  /** Stops one service gracefully (SIGTERM to its group) and waits for it to exit. */
  async stop(service: string, deadlineMs = 60_000): Promise<void> {
    const record = readPidRecord(this.layout.pidFile(service));
    if (record === undefined) return;
    try {
      process.kill(-record.pid, 'SIGTERM');
    } catch {
      return;
    }
    const deadline = Date.now() + deadlineMs;
    while (alive(record.pid) && Date.now() < deadline) await sleep(250);
    if (alive(record.pid)) process.kill(-record.pid, 'SIGKILL');
    this.say(`  stopped ${service} (pid ${record.pid})`);
  }

  logFile(service: string): string {
    return this.layout.log(service);
  }

  private cli(args: string[]): Promise<void> {
    const entry = join(this.repoDir, 'dist', 'deploy', 'local', 'stack-cli.js');
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [entry, ...args], { cwd: this.repoDir, env: { ...process.env, ...this.stackEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
      if (args[0] === 'up') this.upInProgress = child;
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
      child.once('error', reject);
      child.once('exit', (code) => {
        if (code === 0) resolve();
        else reject(new Error(`private stack ${args.join(' ')} failed (exit ${String(code)}):\n${output.slice(-3000)}`));
      });
    });
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
