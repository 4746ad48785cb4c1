import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as avro from 'avsc';
import { avroSchemasDir } from '../contracts/repo-root';
import { parseAvroSchema } from '../contracts/avsc-file';

/** One released version of a contract: `schemas/avro/released/<contract>/v<N>.avsc`. */
export interface ReleasedVersion {
  contract: string;
  version: number;
  path: string;
  /** The schema as compact JSON text (what is sent to a registry). */
  schemaText: string;
  type: avro.Type;
}

const VERSION_FILE = /^v(\d+)\.avsc$/;

/** `<schemas/avro>/released`. */
export function releasedHistoryDir(): string {
  return join(avroSchemasDir(), 'released');
}

/**
 * The released history of every contract, oldest first. A contract without a
 * folder has no history (a new contract). Version numbers must be 1..N without gaps.
 */
export function loadReleasedHistory(dir: string = releasedHistoryDir()): Map<string, ReleasedVersion[]> {
  const history = new Map<string, ReleasedVersion[]>();
  if (!existsSync(dir)) return history;
  for (const contract of readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort()) {
    const versions = readdirSync(join(dir, contract))
      .map((file) => ({ file, match: VERSION_FILE.exec(file) }))
      .filter((x): x is { file: string; match: RegExpExecArray } => x.match !== null)
      .map(({ file, match }) => {
        const path = join(dir, contract, file);
        const schema = JSON.parse(readFileSync(path, 'utf8')) as avro.Schema;
        return { contract, version: Number(match[1]), path, schemaText: JSON.stringify(schema), type: parseAvroSchema(schema, path) };
      })
      .sort((a, b) => a.version - b.version);
    versions.forEach((v, i) => {
      if (v.version !== i + 1) throw new Error(`released history of ${contract} has a gap: expected v${i + 1}.avsc, found v${v.version}.avsc`);
    });
    history.set(contract, versions);
  }
  return history;
}
