import type { ClickHouseClient } from '@clickhouse/client';
import type { Logger } from 'pino';
import { InternalError } from '@stylestream/errors';
import { toClickHouseError } from './clickhouse-errors';
import type { Migration } from './migration-files';

export interface MigrationReport {
  readonly applied: number[];
  readonly alreadyApplied: number[];
}

const LEDGER = `CREATE TABLE IF NOT EXISTS schema_migrations (
  version UInt32, name String, checksum String, applied_at DateTime64(3, 'UTC') DEFAULT now64(3)
) ENGINE = MergeTree ORDER BY version`;

/**
 * Applies the migrations not yet recorded in `schema_migrations`, in version
 * order, each recorded after all its statements succeeded. Idempotent: a
 * second run applies nothing. Statements are written `IF NOT EXISTS` so a
 * crash between a statement and its record is repaired by running again.
 * An applied migration whose file changed is refused (InternalError): fix it
 * with a new migration. Not safe for two processes migrating one server at
 * the same moment (run it from one deploy step there).
 */
export async function applyMigrations(client: ClickHouseClient, migrations: readonly Migration[], logger?: Logger): Promise<MigrationReport> {
  try {
    await client.command({ query: LEDGER });
  } catch (err) {
    throw toClickHouseError(err, 'creating schema_migrations');
  }
  const done = new Map<number, string>();
  try {
    const rows = await (await client.query({ query: 'SELECT version, checksum FROM schema_migrations', format: 'JSONEachRow' })).json<{ version: number | string; checksum: string }>();
    for (const row of rows) done.set(Number(row.version), row.checksum);
  } catch (err) {
    throw toClickHouseError(err, 'reading schema_migrations');
  }
  const applied: number[] = [];
  const alreadyApplied: number[] = [];
  for (const migration of migrations) {
    const checksum = done.get(migration.version);
    if (checksum !== undefined) {
      if (checksum !== migration.checksum) {
        throw new InternalError(`migration ${migration.version}_${migration.name} changed after it was applied; add a new migration instead`);
      }
      alreadyApplied.push(migration.version);
      continue;
    }
    for (const statement of migration.statements) {
      try {
        await client.command({ query: statement });
      } catch (err) {
        throw toClickHouseError(err, `migration ${migration.version}_${migration.name}`);
      }
    }
    await client.insert({
      table: 'schema_migrations',
      values: [{ version: migration.version, name: migration.name, checksum: migration.checksum }],
      format: 'JSONEachRow',
    });
    applied.push(migration.version);
    logger?.info({ version: migration.version, migration: migration.name }, 'clickhouse migration applied');
  }
  return { applied, alreadyApplied };
}
