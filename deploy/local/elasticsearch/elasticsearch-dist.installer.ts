import { chmodSync, existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { requireJava, requireMaven } from '../install/java-toolchain';
import { installInto, isInstalledDir } from '../install/install-dir';
import { StackInstaller } from '../install/stack-installer';
import { findExecutable, runCommand } from '../process/command-runner';
import { StackError } from '../stack-error';

/**
 * Elasticsearch's integ-test zip from Maven Central, unpacked into
 * install/elasticsearch-<version>. Unpacks with `unzip` when present, else
 * with the JDK's `jar xf` (which drops exec bits, so bin/* is made executable).
 */
export class ElasticsearchDistInstaller implements StackInstaller {
  readonly name = 'elasticsearch';

  constructor(
    private readonly installDir: string,
    private readonly version: string,
  ) {}

  /** ES_HOME: the zip's single top-level folder. */
  get home(): string {
    return join(this.installDir, `elasticsearch-${this.version}`);
  }

  isInstalled(): boolean {
    return isInstalledDir(this.installDir);
  }

  async install(log: (line: string) => void): Promise<void> {
    const mvn = requireMaven();
    const java = await requireJava();
    const artifact = `org.elasticsearch.distribution.integ-test-zip:elasticsearch:${this.version}:zip`;
    log(`elasticsearch: fetching ${artifact} with mvn dependency:copy`);
    await installInto(this.installDir, async (work) => {
      await runCommand(mvn, ['-B', '-q', 'dependency:copy', `-Dartifact=${artifact}`, `-DoutputDirectory=${work}`], {
        what: `mvn dependency:copy (${artifact})`,
        cwd: work,
      });
      const zip = join(work, `elasticsearch-${this.version}.zip`);
      if (!existsSync(zip)) throw new StackError(`mvn dependency:copy left no ${zip}`);
      await this.unpack(zip, work, java.javaHome, log);
      rmSync(zip);
      const bin = join(work, `elasticsearch-${this.version}`, 'bin');
      for (const file of readdirSync(bin)) chmodSync(join(bin, file), 0o755);
    });
  }

  private async unpack(zip: string, into: string, javaHome: string, log: (line: string) => void): Promise<void> {
    if (findExecutable('unzip') !== undefined) {
      await runCommand('unzip', ['-q', zip, '-d', into], { what: 'unzip (Elasticsearch zip)' });
      return;
    }
    const jar = findExecutable('jar') ?? findExecutable('jar', join(javaHome, 'bin'));
    if (jar === undefined) throw new StackError('neither unzip nor jar found to unpack Elasticsearch (apt-get install -y unzip)');
    log('elasticsearch: unzip not found, unpacking with jar xf');
    await runCommand(jar, ['xf', zip], { what: 'jar xf (Elasticsearch zip)', cwd: into });
  }
}
