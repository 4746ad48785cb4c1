import type { ClickHouseClient } from '@stylestream/clickhouse';
import { toClickHouseError } from '@stylestream/clickhouse';
import { LABEL_DIMENSIONS } from '@stylestream/schemas';
import type { DedupRow, IndexProgressRow } from '../domain/dedup-rows';
import type { FactRow, StoredFactKey } from '../domain/fact-rows';
import type { AnalyticsStore } from './analytics-store.port';

interface StoredKeyRow {
  image_id: string;
  quarter: string;
  blogger_id: string;
  version: number | string;
  is_deleted: number | string;
}

/** A fact row as image_facts_by_blogger holds it (the columns the followed question reads). */
function byBloggerRow(row: FactRow): Record<string, unknown> {
  const out: Record<string, unknown> = { blogger_id: row.blogger_id, quarter: row.quarter, image_id: row.image_id, source: row.source, version: row.version, is_deleted: row.is_deleted };
  for (const d of LABEL_DIMENSIONS) out[d] = row[d];
  return out;
}

/** AnalyticsStore over ClickHouse (embedded chdb or HTTP), tables from libs/clickhouse/migrations. */
export class ClickHouseAnalyticsStore implements AnalyticsStore {
  constructor(private readonly client: ClickHouseClient) {}

  async storedFactKeys(imageIds: readonly string[]): Promise<Map<string, StoredFactKey>> {
    const out = new Map<string, StoredFactKey>();
    if (imageIds.length === 0) return out;
    // Highest version wins; at equal versions the live row (a move writes a deletion at the old key with the same version).
    const query = `
      SELECT image_id, t.1 AS quarter, t.2 AS blogger_id, t.3 AS version, t.4 AS is_deleted
      FROM (
        SELECT image_id, argMax(tuple(quarter, blogger_id, version, is_deleted), (version, 1 - is_deleted)) AS t
        FROM image_facts WHERE image_id IN {ids:Array(String)} GROUP BY image_id
      )`;
    try {
      const rows = await (await this.client.query({ query, query_params: { ids: imageIds }, format: 'JSONEachRow' })).json<StoredKeyRow>();
      for (const r of rows) {
        out.set(r.image_id, { quarter: r.quarter, bloggerId: r.blogger_id, version: Number(r.version), deleted: Number(r.is_deleted) === 1 });
      }
      return out;
    } catch (err) {
      throw toClickHouseError(err, 'reading stored image keys');
    }
  }

  /**
   * Writes the rows into the blogger-ordered copy first, then into image_facts.
   * The two inserts are not one transaction; the order makes a crash between
   * them harmless: the sink decides what is stale from image_facts only, so a
   * batch whose image_facts insert did not happen is written again in full
   * (the copy then holds those rows twice with the same key and version, which
   * FINAL and merges collapse), while a row in image_facts implies its row in
   * the copy. (A materialized view would not give that: a crash can leave the
   * source part committed and the view's part not, and the redelivered events
   * are then stale, so the copy would miss them for good.)
   */
  async insertFacts(rows: readonly FactRow[]): Promise<void> {
    if (rows.length === 0) return;
    await this.insert('image_facts_by_blogger', rows.map(byBloggerRow));
    await this.insert('image_facts', rows);
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
