import { findExecutable, runCommand } from '../process/command-runner';
import { StackError } from '../stack-error';
import { StackInstaller } from './stack-installer';

/**
 * Debian packages providing binaries the stack runs. Installs with apt-get
 * (as root) only when a binary is missing; `apt-get update` runs at most once per process.
 */
export class AptPackagesInstaller implements StackInstaller {
  private static updated: Promise<unknown> | undefined;

  constructor(
    readonly name: string,
    private readonly packages: readonly string[],
    private readonly binaries: readonly string[],
  ) {}

  isInstalled(): boolean {
    return this.binaries.every((binary) => findExecutable(binary) !== undefined);
  }

  async install(log: (line: string) => void): Promise<void> {
    const missing = this.binaries.filter((binary) => findExecutable(binary) === undefined);
    const command = `apt-get install -y --no-install-recommends ${this.packages.join(' ')}`;
    if (process.getuid?.() !== 0) {
      throw new StackError(`${missing.join(', ')} not found, and installing needs root: run \`sudo apt-get update && sudo ${command}\``);
    }
    if (findExecutable('apt-get') === undefined) throw new StackError(`${missing.join(', ')} not found, and apt-get not found to install ${this.packages.join(' ')}`);
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    log(`${missing.join(', ')} not found: running apt-get update and ${command}`);
    AptPackagesInstaller.updated ??= runCommand('apt-get', ['update', '-q'], { what: 'apt-get update', env });
    await AptPackagesInstaller.updated;
    await runCommand('apt-get', ['install', '-y', '-q', '--no-install-recommends', ...this.packages], { what: command, env });
    const still = this.binaries.filter((binary) => findExecutable(binary) === undefined);
    if (still.length > 0) throw new StackError(`${command} succeeded but ${still.join(', ')} still not found on PATH`);
  }
}
