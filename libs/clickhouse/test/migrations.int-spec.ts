import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InternalError } from '@stylestream/errors';
import { type ClickHouseClient, applyMigrations, createClickHouseClient, readMigrations } from '../src';

/** The embedded engine on a shared 2-core machine: a migration can take seconds. */
jest.setTimeout(120_000);

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
    // 007 drops the blogger-ordered copy that 005 created.
    expect(tables.map((t) => t.name)).not.toContain('image_facts_by_blogger');
  });

  it('applies a new migration after the others and refuses an applied one that changed', async () => {
    const extra = mkdtempSync(join(tmpdir(), 'ch-extra-'));
    writeFileSync(join(extra, '900_probe.sql'), 'CREATE TABLE IF NOT EXISTS probe (x String) ENGINE = MergeTree ORDER BY x;\n');
    expect((await applyMigrations(client, [...readMigrations(), ...readMigrations(extra)])).applied).toEqual([900]);
    writeFileSync(join(extra, '900_probe.sql'), 'CREATE TABLE IF NOT EXISTS probe (x String, y String) ENGINE = MergeTree ORDER BY x;\n');
    await expect(applyMigrations(client, readMigrations(extra))).rejects.toThrow(InternalError);
    rmSync(extra, { recursive: true, force: true });
  });

  describe('on a deployment that already has facts', () => {
    /** Rows with `version` as a number (64-bit integers may arrive quoted). */
    const read = async (query: string): Promise<unknown[]> =>
      (await (await client.query({ query, format: 'JSONEachRow' })).json<Record<string, unknown>>()).map((r) => ('version' in r ? { ...r, version: Number(r.version) } : r));
    const count = async (table: string): Promise<number> => Number((await client.query({ query: `SELECT count() AS n FROM ${table}`, format: 'JSONEachRow' }).then((r) => r.json<{ n: number | string }>()))[0].n);
    /** As if `version` had not been applied yet, or had crashed before its ledger row. */
    const forget = async (version: number): Promise<void> => {
      await client.command({ query: `ALTER TABLE schema_migrations DELETE WHERE version = ${version}`, clickhouse_settings: { mutations_sync: '2' } });
    };
    const fact = (image: string, blogger: string, version: number, deleted: 0 | 1): Record<string, unknown> => ({
      image_id: image, quarter: '2025Q1', blogger_id: blogger, source: 'social', published_at: '2025-01-02 00:00:00.000', crawled_at: '2025-01-02 00:00:00.000',
      category: [], fabric: [], texture: [], process: [], accessory: [], style: [], silhouette: [], collar: [], color: ['red'], version, is_deleted: deleted,
    });
    const live = [
      { image_id: 'i1', blogger_id: 'b1', color: ['red'], version: 1 },
      { image_id: 'i2', blogger_id: 'b2', color: ['red'], version: 5 },
    ];

    beforeAll(async () => {
      // The rows below must stay as inserted (several versions of a key) until 006 runs: no background merge.
      await client.command({ query: 'SYSTEM STOP MERGES image_facts' });
      // i1 live, i2 re-published (two versions at one key), i3 taken down: written before 005 and 006 existed (no is_update marks).
      // One insert each, as separate sink batches write them (one insert would collapse versions of a key on insert).
      for (const row of [fact('i1', 'b1', 1, 0), fact('i2', 'b2', 2, 0), fact('i2', 'b2', 5, 0), fact('i3', 'b1', 3, 0), fact('i3', 'b1', 4, 1)]) {
        await client.insert({ table: 'image_facts', values: [row], format: 'JSONEachRow' });
      }
    });

    it('005 copies every stored version into the blogger-ordered table; running it again changes no answer', async () => {
      const copyLive = 'SELECT image_id, blogger_id, color, version FROM image_facts_by_blogger FINAL ORDER BY image_id';
      await forget(5);
      expect((await applyMigrations(client, readMigrations())).applied).toEqual([5]);
      // Versions of one key inserted together may collapse on insert: 3 to 5 rows.
      const copied = await count('image_facts_by_blogger');
      expect(copied).toBeGreaterThanOrEqual(3);
      expect(await read(copyLive)).toEqual(live);
      await forget(5);
      expect((await applyMigrations(client, readMigrations())).applied).toEqual([5]);
      expect(await count('image_facts_by_blogger')).toBe(2 * copied);
      expect(await read(copyLive)).toEqual(live);
    });

    it('006 marks the images with several rows so that reading without FINAL answers as FINAL; running it again changes no answer', async () => {
      const final = 'SELECT image_id, blogger_id, color, version FROM image_facts FINAL ORDER BY image_id';
      // The filter the trend questions use (apps/analytics liveFactTerms), over all quarters.
      const withoutFinal = `SELECT image_id, blogger_id, color, version FROM image_facts WHERE is_deleted = 0
        AND (image_hash NOT IN (SELECT image_hash FROM image_facts WHERE is_update = 1)
             OR (image_hash, version) IN (SELECT image_hash, max(version) FROM image_facts WHERE is_update = 1 GROUP BY image_hash))
        ORDER BY image_id`;
      const markers = "SELECT image_id, version FROM image_facts WHERE blogger_id = '\\0' ORDER BY image_id, version";
      await forget(6);
      expect((await applyMigrations(client, readMigrations())).applied).toEqual([6]);
      expect(await read(markers)).toEqual([
        { image_id: 'i2', version: 5 },
        { image_id: 'i3', version: 4 },
      ]);
      expect(await read(final)).toEqual(live);
      expect(await read(withoutFinal)).toEqual(live);
      await forget(6);
      expect((await applyMigrations(client, readMigrations())).applied).toEqual([6]);
      expect(await read(markers)).toHaveLength(4);
      expect(await read(final)).toEqual(live);
      expect(await read(withoutFinal)).toEqual(live);
    });

    it('007 hashes the bloggers of stored rows and drops the blogger-ordered copy; running it again changes nothing', async () => {
      const hashes = 'SELECT image_id, blogger_hash = cityHash64(blogger_id) AS b FROM image_facts FINAL ORDER BY image_id';
      const tables = async (): Promise<string[]> => (await read("SELECT name FROM system.tables WHERE database = currentDatabase() AND name LIKE 'image_facts%' ORDER BY name")).map((t) => String((t as { name: string }).name));
      await forget(7);
      expect((await applyMigrations(client, readMigrations())).applied).toEqual([7]);
      expect(await read(hashes)).toEqual(live.map((r) => ({ image_id: r.image_id, b: 1 })));
      expect(await tables()).toEqual(['image_facts']);
      await forget(7);
      expect((await applyMigrations(client, readMigrations())).applied).toEqual([7]);
      expect(await read(hashes)).toEqual(live.map((r) => ({ image_id: r.image_id, b: 1 })));
    });
  });
});
