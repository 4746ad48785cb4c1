import { realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { findExecutable, runCommand } from '../process/command-runner';
import { StackError } from '../stack-error';

export interface JavaToolchain {
  readonly javaBin: string;
  /** Used as ES_JAVA_HOME: the integ-test Elasticsearch zip bundles no JDK. */
  readonly javaHome: string;
  readonly major: number;
}

/** Major version from `java -version` output ('openjdk version "17.0.15" ...' or '"1.8.0_..."'). */
export function parseJavaMajor(versionOutput: string): number | undefined {
  const match = /version "(\d+)(?:\.(\d+))?/.exec(versionOutput);
  if (!match) return undefined;
  const first = Number(match[1]);
  return first === 1 && match[2] !== undefined ? Number(match[2]) : first;
}

let cached: Promise<JavaToolchain> | undefined;

/** The Java to run Kafka and Elasticsearch: JAVA_HOME's, else the one on PATH; 17 or newer. */
export function requireJava(minMajor = 17): Promise<JavaToolchain> {
  cached ??= locateJava(minMajor);
  return cached;
}

async function locateJava(minMajor: number): Promise<JavaToolchain> {
  const fromHome = process.env.JAVA_HOME ? join(process.env.JAVA_HOME, 'bin', 'java') : undefined;
  const javaBin = fromHome !== undefined && findExecutable('java', dirname(fromHome)) ? fromHome : findExecutable('java');
  if (javaBin === undefined) throw new StackError('java not found (install a JDK 17+, e.g. apt-get install -y openjdk-17-jdk-headless)');
  const { stderr, stdout } = await runCommand(javaBin, ['-version'], { what: 'java -version' });
  const major = parseJavaMajor(`${stderr}${stdout}`);
  if (major === undefined || major < minMajor) {
    throw new StackError(`java ${String(major ?? 'of unknown version')} found at ${javaBin}; Java ${minMajor}+ is needed`);
  }
  return { javaBin, javaHome: dirname(dirname(realpathSync(javaBin))), major };
}

/** Fails with "mvn not found" when Maven is missing. */
export function requireMaven(): string {
  const mvn = findExecutable('mvn');
  if (mvn === undefined) throw new StackError('mvn not found (install Maven, e.g. apt-get install -y maven)');
  return mvn;
}
