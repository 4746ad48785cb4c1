import { parseMigration, readMigrations } from './migration-files';

describe('migration files', () => {
  it('splits statements at line-ending semicolons and drops comment lines', () => {
    const m = parseMigration('007_two_tables.sql', '-- why\nCREATE TABLE a (x String) ENGINE = Memory;\n\nCREATE TABLE b (y String) ENGINE = Memory;\n');
    expect(m).toMatchObject({ version: 7, name: 'two_tables' });
    expect(m.statements).toEqual(['CREATE TABLE a (x String) ENGINE = Memory', 'CREATE TABLE b (y String) ENGINE = Memory']);
    expect(m.checksum).toMatch(/^[0-9a-f]{64}$/);
  });

  it('refuses badly named files', () => {
    expect(() => parseMigration('init.sql', 'SELECT 1')).toThrow(/NNN_name\.sql/);
  });

  it('reads the repository migrations in version order', () => {
    const versions = readMigrations().map((m) => m.version);
    expect(versions.length).toBeGreaterThanOrEqual(4);
    expect([...versions].sort((a, b) => a - b)).toEqual(versions);
  });
});
