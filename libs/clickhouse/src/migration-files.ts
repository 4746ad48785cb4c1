import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { InternalError } from '@stylestream/errors';

/** One versioned migration file `NNN_name.sql`. */
export interface Migration {
  readonly version: number;
  readonly name: string;
  /** Statements in file order (split on `;` at the end of a line; `--` comment lines dropped). */
  readonly statements: readonly string[];
  /** sha256 of the file text: an applied migration must never change. */
  readonly checksum: string;
}

const FILE_NAME = /^(\d{3,})_([a-z0-9_]+)\.sql$/;

/** The migrations shipped in the repository (libs/clickhouse/migrations; the build copies them next to dist). */
export const REPO_MIGRATIONS_DIR = resolve(__dirname, '..', 'migrations');

export function parseMigration(fileName: string, text: string): Migration {
  const match = FILE_NAME.exec(fileName);
  if (match === null) throw new InternalError(`migration file ${fileName} is not named NNN_name.sql`);
  const body = text
    .split('\n')
    .filter((line) => !line.trim().startsWith('--'))
    .join('\n');
  const statements = body
    .split(/;\s*(?:\n|$)/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  return { version: Number(match[1]), name: match[2], statements, checksum: createHash('sha256').update(text).digest('hex') };
}

/** Reads every `NNN_name.sql` of `dir`, sorted by version; two files with one version are a bug. */
export function readMigrations(dir: string = REPO_MIGRATIONS_DIR): Migration[] {
  const migrations = readdirSync(dir)
    .filter((f) => f.endsWith('.sql'))
    .map((f) => parseMigration(f, readFileSync(join(dir, f), 'utf8')))
    .sort((a, b) => a.version - b.version);
  for (let i = 1; i < migrations.length; i++) {
    if (migrations[i].version === migrations[i - 1].version) throw new InternalError(`two migrations with version ${migrations[i].version}`);
  }
  return migrations;
}
