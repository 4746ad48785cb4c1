import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InternalError } from '@stylestream/errors';
import { type ClickHouseClient, applyMigrations, createClickHouseClient, readMigrations } from '../src';

/** Real: the embedded engine (chdb) on a temporary data directory. */
describe('applyMigrations (embedded chdb)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ch-migrations-'));
  let client: ClickHouseClient;

  beforeAll(() => {
    client = createClickHouseClient({ kind: 'embedded', path: join(dir, 'data') });
  });
  afterAll(async () => {
    await client.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('applies the repository migrations once; a second run applies nothing', async () => {
    const migrations = readMigrations();
    const first = await applyMigrations(client, migrations);
    expect(first.applied).toEqual(migrations.map((m) => m.version));
    const second = await applyMigrations(client, migrations);
    expect(second).toEqual({ applied: [], alreadyApplied: migrations.map((m) => m.version) });
    const tables = await (await client.query({ query: 'SELECT name FROM system.tables WHERE database = currentDatabase() ORDER BY name', format: 'JSONEachRow' })).json<{ name: string }>();
    expect(tables.map((t) => t.name)).toEqual(expect.arrayContaining(['image_facts', 'image_dedup', 'index_progress', 'images_wide', 'schema_migrations']));
  });

  it('applies a new migration after the others and refuses an applied one that changed', async () => {
    const extra = mkdtempSync(join(tmpdir(), 'ch-extra-'));
    writeFileSync(join(extra, '900_probe.sql'), 'CREATE TABLE IF NOT EXISTS probe (x String) ENGINE = MergeTree ORDER BY x;\n');
    expect((await applyMigrations(client, [...readMigrations(), ...readMigrations(extra)])).applied).toEqual([900]);
    writeFileSync(join(extra, '900_probe.sql'), 'CREATE TABLE IF NOT EXISTS probe (x String, y String) ENGINE = MergeTree ORDER BY x;\n');
    await expect(applyMigrations(client, readMigrations(extra))).rejects.toThrow(InternalError);
    rmSync(extra, { recursive: true, force: true });
  });
});
