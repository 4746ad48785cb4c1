import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ClickHouseClient, applyMigrations, createClickHouseClient, readMigrations } from '@stylestream/clickhouse';
import { factRowOf } from '../../apps/analytics/src/domain/fact-rows';
import { imageArrived } from '../../apps/analytics/test/analytics-events.fixture';

/**
 * Real: the embedded engine with the repository migrations. Every SQL of the
 * Grafana dashboard (panels and variables) runs against the app's tables with
 * Grafana's variables and macros replaced as the ClickHouse plugin would, so
 * a renamed column or a typo fails here, not in production.
 */
interface Target {
  datasource: { type: string; uid: string };
  rawSql: string;
}
interface Dashboard {
  panels: { id: number; title: string; datasource: { type: string }; targets: Target[] }[];
  templating: { list: { name: string; type: string; query: string }[] };
}

const DASHBOARD = JSON.parse(readFileSync(join(__dirname, 'stylestream-analytics.dashboard.json'), 'utf8')) as Dashboard;

/** What Grafana sends for quarter=2025Q2, dimension=color, bloggers=b1,b2 and a two-year range. */
function interpolate(sql: string): string {
  return sql
    .replace(/\$__timeFilter\((\w+)\)/g, "$1 >= toDateTime64('2024-01-01 00:00:00', 3, 'UTC') AND $1 <= toDateTime64('2026-01-01 00:00:00', 3, 'UTC')")
    .replaceAll('${dimension:raw}', 'color')
    .replaceAll('${dimension}', 'color')
    .replaceAll('${quarter}', '2025Q2')
    .replaceAll('$quarter', '2025Q2')
    .replaceAll('${bloggers}', 'b1,b2');
}

describe('Grafana dashboard SQL (embedded ClickHouse)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'grafana-sql-'));
  let client: ClickHouseClient;

  beforeAll(async () => {
    client = createClickHouseClient({ kind: 'embedded', path: join(dir, 'clickhouse') });
    await applyMigrations(client, readMigrations());
    const q1 = Date.UTC(2025, 0, 1);
    const q2 = Date.UTC(2025, 3, 1);
    const rows = [
      factRowOf(imageArrived('g1', { quarterStart: q2, bloggerId: 'b1', source: 'social', labels: { color: ['red'], category: ['dress'] } }), 1),
      factRowOf(imageArrived('g2', { quarterStart: q2, bloggerId: 'b2', source: 'runway', labels: { color: ['red', 'blue'] } }), 2),
      factRowOf(imageArrived('g3', { quarterStart: q1, bloggerId: 'b1', source: 'social', labels: { color: ['blue'] } }), 3),
    ];
    await client.insert({ table: 'image_facts', values: rows, format: 'JSONEachRow' });
  });

  afterAll(async () => {
    await client?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('every panel uses the ClickHouse data source through the datasource variable', () => {
    expect(DASHBOARD.panels.length).toBeGreaterThanOrEqual(8);
    for (const panel of DASHBOARD.panels) {
      expect(panel.datasource.type).toBe('grafana-clickhouse-datasource');
      for (const t of panel.targets) expect(t.datasource).toEqual({ type: 'grafana-clickhouse-datasource', uid: '${datasource}' });
    }
    expect(DASHBOARD.templating.list.map((v) => v.name)).toEqual(['datasource', 'quarter', 'dimension', 'bloggers']);
  });

  it.each(DASHBOARD.panels.map((p) => [p.title, p] as const))('panel "%s" runs', async (_title, panel) => {
    for (const target of panel.targets) {
      const rows = await (await client.query({ query: interpolate(target.rawSql), format: 'JSONEachRow' })).json<Record<string, unknown>>();
      expect(Array.isArray(rows)).toBe(true);
    }
  });

  it('the trend, share and followed panels find the seeded labels', async () => {
    const run = async (title: RegExp): Promise<Record<string, unknown>[]> => {
      const panel = DASHBOARD.panels.find((p) => title.test(p.title));
      if (panel === undefined) throw new Error(`no panel ${String(title)}`);
      return (await client.query({ query: interpolate(panel.targets[0].rawSql), format: 'JSONEachRow' })).json<Record<string, unknown>>();
    };
    // 64-bit counts arrive as numbers or strings depending on the connection.
    expect((await run(/share in/)).map((r) => [r.value, Number(r.images)])).toEqual([
      ['red', 2],
      ['blue', 1],
    ]);
    expect((await run(/change vs previous/)).map((r) => [r.value, Number(r.change)])).toEqual([['red', 2]]);
    expect((await run(/^Followed bloggers/)).map((r) => r.value)).toEqual(['red', 'blue']);
    const quarters = await (await client.query({ query: DASHBOARD.templating.list[1].query, format: 'JSONEachRow' })).json<{ quarter: string }>();
    expect(quarters.map((q) => q.quarter)).toEqual(['2025Q2', '2025Q1']);
  });
});
