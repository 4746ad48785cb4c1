import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { requireJava, requireMaven } from '../install/java-toolchain';
import { installInto, isInstalledDir } from '../install/install-dir';
import { StackInstaller } from '../install/stack-installer';
import { runCommand } from '../process/command-runner';

/** Kafka's jars from Maven Central, via the pom next to this file, into install/kafka-<version>/libs. */
export class KafkaJarsInstaller implements StackInstaller {
  readonly name = 'kafka';

  constructor(
    private readonly installDir: string,
    private readonly pomFile: string,
  ) {}

  get libsDir(): string {
    return join(this.installDir, 'libs');
  }

  isInstalled(): boolean {
    return isInstalledDir(this.installDir);
  }

  async install(log: (line: string) => void): Promise<void> {
    const mvn = requireMaven();
    await requireJava();
    log(`kafka: collecting jars with mvn dependency:copy-dependencies (${this.pomFile})`);
    await installInto(this.installDir, async (work) => {
      copyFileSync(this.pomFile, join(work, 'pom.xml'));
      await runCommand(
        mvn,
        ['-B', '-q', '-f', join(work, 'pom.xml'), 'dependency:copy-dependencies', '-DincludeScope=runtime', `-DoutputDirectory=${join(work, 'libs')}`],
        { what: 'mvn dependency:copy-dependencies (Kafka jars)', cwd: work },
      );
    });
  }
}
