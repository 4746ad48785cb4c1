import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { AptPackagesInstaller } from '../install/apt-packages.installer';
import { ProbeResult } from '../process/health-wait';
import { probeHttp } from '../process/http-probe';
import { LaunchSpec } from '../process/process-supervisor';
import { StackService } from '../services/stack-service';
import { binaryVersion } from './binary-version';

/** The Debian binary of Alertmanager (the package names it prometheus-alertmanager). */
export const ALERTMANAGER_BINARY = 'prometheus-alertmanager';

/** Debian's Alertmanager with deploy/alertmanager/alertmanager.yml, clustering disabled. */
export class AlertmanagerService implements StackService {
  readonly name = 'alertmanager';
  readonly ports: readonly number[];
  readonly after: readonly string[] = [];
  readonly startDeadlineMs = 30_000;
  readonly stopGraceMs = 15_000;
  readonly installers;

  constructor(
    apt: AptPackagesInstaller,
    private readonly paths: { config: string; confDir: string; dataDir: string },
    private readonly port: number,
  ) {
    this.ports = [port];
    this.installers = [apt];
  }

  version(): Promise<string> {
    return binaryVersion(ALERTMANAGER_BINARY);
  }

  notStartable(): string | undefined {
    return undefined;
  }

  prepare(): Promise<void> {
    mkdirSync(this.paths.confDir, { recursive: true });
    mkdirSync(this.paths.dataDir, { recursive: true });
    copyFileSync(this.paths.config, join(this.paths.confDir, 'alertmanager.yml'));
    return Promise.resolve();
  }

  launch(): Promise<LaunchSpec> {
    return Promise.resolve({
      command: ALERTMANAGER_BINARY,
      args: [
        `--config.file=${join(this.paths.confDir, 'alertmanager.yml')}`,
        `--storage.path=${this.paths.dataDir}`,
        `--web.listen-address=127.0.0.1:${this.port}`,
        // An empty address disables the gossip cluster (and its port 9094).
        '--cluster.listen-address=',
      ],
      env: process.env,
      cwd: this.paths.confDir,
    });
  }

  probe(): Promise<ProbeResult> {
    return probeHttp(`http://127.0.0.1:${this.port}/-/ready`);
  }
}
