import type { Logger } from 'pino';
import type { ClickHouseClient } from '@stylestream/clickhouse';
import { toClickHouseError } from '@stylestream/clickhouse';
import { LABEL_DIMENSIONS } from '@stylestream/schemas';

/**
 * A table that a materialized view fills from image_facts inserts
 * (migrations 008 and 009): what it holds, summarised; what the live rows of
 * image_facts say it should hold, summarised the same way; and how to fill it
 * from those live rows.
 */
interface DerivedTable {
  readonly table: string;
  readonly held: string;
  readonly expected: string;
  readonly fill: string;
}

const labels = LABEL_DIMENSIONS.join(', ');
const labelPairs = `arrayConcat([('', '')], ${LABEL_DIMENSIONS.map((d) => `arrayMap(v -> ('${d}', v), ${d})`).join(', ')})`;
/** A row's fingerprint, folded into 32 bits so that signed sums stay exact in Int128. */
const fingerprint = (columns: string): string => `toInt128(cityHash64(${columns}) % 4294967291)`;

export const DERIVED_TABLES: readonly DerivedTable[] = [
  {
    table: 'label_counts',
    held: `SELECT toString(sum(toInt128(images) * ${fingerprint('quarter, source, dimension, label')})) AS sum, toString(sum(images)) AS n FROM label_counts`,
    expected: `SELECT toString(sum(${fingerprint('quarter, source, dv.1, dv.2')})) AS sum, toString(count()) AS n FROM image_facts FINAL ARRAY JOIN ${labelPairs} AS dv WHERE is_deleted = 0`,
    fill: `INSERT INTO label_counts SELECT quarter, source, dv.1 AS dimension, dv.2 AS label, toInt64(count()) AS images
FROM image_facts FINAL ARRAY JOIN ${labelPairs} AS dv WHERE is_deleted = 0 GROUP BY quarter, source, dimension, label`,
  },
  {
    table: 'facts_by_blogger',
    held: `SELECT toString(sum(toInt128(sign) * ${fingerprint(`blogger_hash, quarter, source, ${labels}`)})) AS sum, toString(sum(sign)) AS n FROM facts_by_blogger`,
    expected: `SELECT toString(sum(${fingerprint(`cityHash64(blogger_id), quarter, source, ${labels}`)})) AS sum, toString(count()) AS n FROM image_facts FINAL WHERE is_deleted = 0`,
    fill: `INSERT INTO facts_by_blogger SELECT cityHash64(blogger_id), quarter, source, ${labels}, 1 FROM image_facts FINAL WHERE is_deleted = 0`,
  },
];

/**
 * Makes the tables kept by views on image_facts agree with image_facts'
 * live rows; run before the sink consumes, by the only process that writes.
 * A view writes its rows after the insert's own part is committed, so a
 * process killed between the two leaves image_facts with rows the view never
 * saw, and the replay writes nothing (the change is stored, hence stale).
 * Each table is compared by its net row count and a signed sum of row
 * fingerprints; one that differs (or is empty beside stored facts, as after
 * the migration that created it) is emptied and filled again from the live
 * rows (FINAL). Returns the tables filled again.
 */
export async function reconcileDerivedTables(client: ClickHouseClient, logger: Logger, tables: readonly DerivedTable[] = DERIVED_TABLES): Promise<string[]> {
  const refilled: string[] = [];
  for (const t of tables) {
    try {
      const started = Date.now();
      const [held, expected] = [await summary(client, t.held), await summary(client, t.expected)];
      if (held.sum === expected.sum && held.n === expected.n) {
        logger.info({ table: t.table, rows: held.n, ms: Date.now() - started }, 'derived table agrees with image_facts');
        continue;
      }
      logger.warn({ table: t.table, held, expected }, 'derived table disagrees with image_facts: filling it again from the live rows');
      await client.command({ query: `TRUNCATE TABLE ${t.table}` });
      await client.command({ query: t.fill });
      refilled.push(t.table);
      logger.info({ table: t.table, ms: Date.now() - started }, 'derived table filled again');
    } catch (err) {
      throw toClickHouseError(err, `reconciling ${t.table}`);
    }
  }
  return refilled;
}

async function summary(client: ClickHouseClient, query: string): Promise<{ sum: string; n: string }> {
  const [row] = await (await client.query({ query, format: 'JSONEachRow' })).json<{ sum: string | null; n: string | null }>();
  return { sum: row?.sum ?? '0', n: row?.n ?? '0' };
}
