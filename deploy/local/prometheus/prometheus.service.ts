import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AptPackagesInstaller } from '../install/apt-packages.installer';
import { ProbeResult } from '../process/health-wait';
import { probeHttp } from '../process/http-probe';
import { LaunchSpec } from '../process/process-supervisor';
import { StackService } from '../services/stack-service';
import { binaryVersion } from './binary-version';
import { localPrometheusConfig } from './prometheus-config';

/** Debian's Prometheus with the repo's rules (alerts/*.yml) and app targets from file discovery. */
export class PrometheusService implements StackService {
  readonly name = 'prometheus';
  readonly ports: readonly number[];
  readonly after: readonly string[] = [];
  readonly startDeadlineMs = 30_000;
  readonly stopGraceMs = 15_000;
  readonly installers;

  constructor(
    apt: AptPackagesInstaller,
    private readonly paths: { template: string; alertsDir: string; confDir: string; dataDir: string },
    private readonly ports_: { port: number; alertmanagerPort: number },
  ) {
    this.ports = [ports_.port];
    this.installers = [apt];
  }

  /** Apps drop `<app>.json` target files here. */
  get targetsDir(): string {
    return join(this.paths.confDir, 'targets');
  }

  version(): Promise<string> {
    return binaryVersion('prometheus');
  }

  notStartable(): string | undefined {
    return undefined;
  }

  /** Tests drop rule files with shortened windows here and POST /-/reload (lifecycle API is on). */
  get testRulesDir(): string {
    return join(this.paths.confDir, 'rules');
  }

  prepare(): Promise<void> {
    mkdirSync(this.targetsDir, { recursive: true });
    mkdirSync(this.testRulesDir, { recursive: true });
    mkdirSync(this.paths.dataDir, { recursive: true });
    const config = localPrometheusConfig(readFileSync(this.paths.template, 'utf8'), {
      prometheusPort: this.ports_.port,
      alertmanagerPort: this.ports_.alertmanagerPort,
      ruleFilesGlob: join(this.paths.alertsDir, '*.yml'),
      targetFilesGlob: join(this.targetsDir, '*.json'),
      testRuleFilesGlob: join(this.testRulesDir, '*.yml'),
    });
    writeFileSync(join(this.paths.confDir, 'prometheus.yml'), config);
    return Promise.resolve();
  }

  launch(): Promise<LaunchSpec> {
    return Promise.resolve({
      command: 'prometheus',
      args: [
        `--config.file=${join(this.paths.confDir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${this.paths.dataDir}`,
        '--storage.tsdb.retention.time=7d',
        `--web.listen-address=127.0.0.1:${this.ports_.port}`,
        '--web.enable-lifecycle',
      ],
      env: process.env,
      cwd: this.paths.confDir,
    });
  }

  probe(): Promise<ProbeResult> {
    return probeHttp(`http://127.0.0.1:${this.ports_.port}/-/ready`);
  }
}
