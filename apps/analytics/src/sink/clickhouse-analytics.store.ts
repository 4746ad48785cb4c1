import type { ClickHouseClient } from '@stylestream/clickhouse';
import { toClickHouseError } from '@stylestream/clickhouse';
import type { DedupRow, IndexProgressRow } from '../domain/dedup-rows';
import type { ImageLabels } from '@stylestream/schemas';
import { FACT_CONTENT_COLUMNS, type FactRow, type StoredFactKey, contentOf } from '../domain/fact-rows';
import type { AnalyticsStore } from './analytics-store.port';

interface StoredKeyRow extends ImageLabels {
  image_id: string;
  quarter: string;
  blogger_id: string;
  version: number | string;
  is_deleted: number | string;
  source: string;
  published_at: string;
  crawled_at: string;
}

/** AnalyticsStore over ClickHouse (embedded chdb or HTTP), tables from libs/clickhouse/migrations. */
export class ClickHouseAnalyticsStore implements AnalyticsStore {
  constructor(private readonly client: ClickHouseClient) {}

  async storedFactKeys(imageIds: readonly string[]): Promise<Map<string, StoredFactKey>> {
    const out = new Map<string, StoredFactKey>();
    if (imageIds.length === 0) return out;
    // Highest version wins; at equal versions the live row (a move writes a deletion at the old key with the same version).
    const columns = ['quarter', 'blogger_id', 'version', 'is_deleted', ...FACT_CONTENT_COLUMNS];
    const query = `
      SELECT image_id, ${columns.map((c, i) => `t.${i + 1} AS ${c}`).join(', ')}
      FROM (
        SELECT image_id, argMax(tuple(${columns.join(', ')}), (version, 1 - is_deleted)) AS t
        FROM image_facts WHERE image_id IN {ids:Array(String)} GROUP BY image_id
      )`;
    try {
      const rows = await (await this.client.query({ query, query_params: { ids: imageIds }, format: 'JSONEachRow' })).json<StoredKeyRow>();
      for (const r of rows) {
        out.set(r.image_id, { quarter: r.quarter, bloggerId: r.blogger_id, version: Number(r.version), deleted: Number(r.is_deleted) === 1, content: contentOf(r) });
      }
      return out;
    } catch (err) {
      throw toClickHouseError(err, 'reading stored image keys');
    }
  }

  insertFacts(rows: readonly FactRow[]): Promise<void> {
    return this.insert('image_facts', rows);
  }

  insertDedup(rows: readonly DedupRow[]): Promise<void> {
    return this.insert('image_dedup', rows);
  }

  insertIndexProgress(rows: readonly IndexProgressRow[]): Promise<void> {
    return this.insert('index_progress', rows);
  }

  private async insert(table: string, rows: readonly object[]): Promise<void> {
    if (rows.length === 0) return;
    try {
      await this.client.insert({ table, values: [...rows], format: 'JSONEachRow' });
    } catch (err) {
      throw toClickHouseError(err, `insert into ${table}`);
    }
  }
}
