import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { InternalError } from '@stylestream/errors';

/** The `name` in the root package.json that marks the repository root. */
export const ROOT_PACKAGE_NAME = 'stylestream';

function isRepoRoot(dir: string): boolean {
  const pkg = join(dir, 'package.json');
  if (!existsSync(pkg)) return false;
  try {
    return (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: unknown }).name === ROOT_PACKAGE_NAME;
  } catch {
    return false;
  }
}

/**
 * The repository root: the nearest directory at or above `start` whose
 * package.json is named "stylestream". Walking up (rather than a fixed `../..`)
 * makes the same code work from source (libs/schemas/src/…, under jest) and
 * from the build (dist/libs/schemas/src/…). Falls back to the working directory.
 */
export function findRepoRoot(start: string = __dirname): string {
  for (let dir = start; ; dir = dirname(dir)) {
    if (isRepoRoot(dir)) return dir;
    if (dirname(dir) === dir) break;
  }
  if (isRepoRoot(process.cwd())) return process.cwd();
  throw new InternalError(`cannot find the StyleStream repository root (a package.json named "${ROOT_PACKAGE_NAME}") above ${start} or in ${process.cwd()}`);
}

let repoRoot: string | undefined;

/**
 * Directory of the current Avro contracts: `<root>/schemas/avro`, or
 * SCHEMAS_AVRO_DIR when set. The root is found once per process: contracts are
 * looked up on per-record paths (encode, decode, every dead letter).
 */
export function avroSchemasDir(): string {
  return process.env.SCHEMAS_AVRO_DIR ?? join((repoRoot ??= findRepoRoot()), 'schemas', 'avro');
}
