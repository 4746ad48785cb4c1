import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ProbeResult } from '../process/health-wait';
import { probeHttp } from '../process/http-probe';
import { LaunchSpec } from '../process/process-supervisor';
import { StackService } from './stack-service';

/**
 * The project's own schema registry (apps/schema-registry), run from the build
 * output with node once Kafka is healthy. Before the app is built, status shows
 * "not built" and up skips it; once built, failing to start is a failure.
 */
export class SchemaRegistryService implements StackService {
  readonly name = 'schema-registry';
  readonly ports: readonly number[];
  readonly stopGraceMs = 15_000;
  readonly installers = [];

  constructor(
    private readonly repoDir: string,
    private readonly port: number,
    private readonly kafkaBrokers: string,
    readonly after: readonly string[],
    /** STACK_SCHEMA_REGISTRY_START_DEADLINE_S (default 45 s). */
    readonly startDeadlineMs = 45_000,
  ) {
    this.ports = [port];
  }

  get entry(): string {
    return join(this.repoDir, 'dist', 'apps', 'schema-registry', 'src', 'main.js');
  }

  version(): Promise<string> {
    try {
      const pkg = JSON.parse(readFileSync(join(this.repoDir, 'package.json'), 'utf8')) as { version?: string };
      return Promise.resolve(`${pkg.version ?? '?'} (project)`);
    } catch {
      return Promise.resolve('?');
    }
  }

  notStartable(): string | undefined {
    return existsSync(this.entry) ? undefined : 'not built';
  }

  prepare(): Promise<void> {
    return Promise.resolve();
  }

  launch(): Promise<LaunchSpec> {
    return Promise.resolve({
      command: process.execPath,
      args: [this.entry],
      env: { ...process.env, KAFKA_BROKERS: this.kafkaBrokers, PORT: String(this.port) },
      cwd: this.repoDir,
    });
  }

  probe(): Promise<ProbeResult> {
    return probeHttp(`http://127.0.0.1:${this.port}/health`);
  }
}
