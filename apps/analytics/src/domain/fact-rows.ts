import { LABEL_DIMENSIONS, type ImageArrived, type ImageLabels } from '@stylestream/schemas';
import { clickHouseTime } from './clickhouse-time';
import { quarterOf } from './quarter';

/** What a fact row says about its image besides its key: the part a retraction row repeats. */
export interface FactContent extends ImageLabels {
  readonly source: string;
  readonly published_at: string;
  readonly crawled_at: string;
}

/**
 * A row of image_facts as inserted (JSONEachRow). `version` is the Kafka
 * offset of the event; `is_update` is 1 when the image already had a row
 * (every row of an image but its first), so a reader can find the images
 * with superseded rows without FINAL (see docs/DESIGN.md §13). `retracts`
 * marks a deletion row that carries the content of the live row it hides,
 * so the label counts kept at insert (migration 008) take that row back.
 */
export interface FactRow extends FactContent {
  readonly image_id: string;
  readonly quarter: string;
  readonly blogger_id: string;
  readonly version: number;
  readonly is_deleted: 0 | 1;
  readonly is_update: 0 | 1;
  readonly retracts: 0 | 1;
}

/** An image-arrived event reduced to what image_facts needs, with its version. */
export type FactChange =
  | { readonly kind: 'upsert'; readonly version: number; readonly row: FactRow }
  | { readonly kind: 'delete'; readonly imageId: string; readonly version: number };

/** Where an image's current row sits (its sort key), its version and, when live, its content, as stored. */
export interface StoredFactKey {
  readonly quarter: string;
  readonly bloggerId: string;
  readonly version: number;
  readonly deleted: boolean;
  readonly content: FactContent;
}

/** The columns of a FactContent, in image_facts. */
export const FACT_CONTENT_COLUMNS = ['source', 'published_at', 'crawled_at', ...LABEL_DIMENSIONS] as const;

/** The FactContent columns of a row (a stored row as read, or a planned one). */
export const contentOf = (row: Pick<FactRow, (typeof FACT_CONTENT_COLUMNS)[number]>): FactContent => Object.fromEntries(FACT_CONTENT_COLUMNS.map((c) => [c, row[c]])) as unknown as FactContent;

/** The row an image-arrived event at `version` produces. Labels are de-duplicated per dimension. */
export function factRowOf(event: ImageArrived, version: number): FactRow {
  const labels = Object.fromEntries(LABEL_DIMENSIONS.map((d) => [d, [...new Set(event.labels[d])]])) as ImageLabels;
  return {
    image_id: event.imageId,
    quarter: quarterOf(event.publishedAt),
    blogger_id: event.bloggerId ?? '',
    source: event.source,
    published_at: clickHouseTime(event.publishedAt),
    crawled_at: clickHouseTime(event.crawledAt),
    ...labels,
    version,
    is_deleted: 0,
    is_update: 0,
    retracts: 0,
  };
}

/**
 * A deletion row at the stored (live) key, carrying the live row's content
 * (`retracts`): it hides the live row there (an update: the image had a
 * row) and takes it back from the label counts.
 */
function deletionRow(imageId: string, key: StoredFactKey, version: number): FactRow {
  return { image_id: imageId, quarter: key.quarter, blogger_id: key.bloggerId, ...key.content, version, is_deleted: 1, is_update: 1, retracts: 1 };
}

/**
 * The rows a batch of changes writes, given each image's stored key.
 * ReplacingMergeTree replaces only rows with the same sort key
 * (quarter, blogger_id, image_id), so:
 * - a change whose version is not above the stored one is stale (a replay):
 *   nothing is written, the stored row already reflects it or a later event;
 * - an upsert that moves the image to another key also writes a deletion row
 *   at the old key, with the same version;
 * - an upsert at the same key as a live row also writes a retraction row
 *   there at the live row's version (a deletion row with its content: the
 *   new row's higher version wins there, FINAL and merges keep only it);
 * - a tombstone writes a deletion row at the stored key; with no stored row
 *   there is nothing to delete;
 * - every deletion row of a live row carries that row's content (`retracts`):
 *   the label counts of migration 008 add each live row once and take it
 *   back once, in the insert that writes the change;
 * - every row written while the image has a row (live or deleted) is marked
 *   `is_update`: only the first row of an image is not.
 * A batch may hold several changes of one image (a partition's whole batch
 * goes into one insert): they must come in offset order, and each is planned
 * against the state the previous ones leave, as if written one by one.
 */
export function planFactRows(changes: readonly FactChange[], stored: ReadonlyMap<string, StoredFactKey>): FactRow[] {
  const rows: FactRow[] = [];
  const state = new Map(stored);
  for (const change of changes) {
    const imageId = change.kind === 'upsert' ? change.row.image_id : change.imageId;
    const current = state.get(imageId);
    if (current !== undefined && current.version >= change.version) continue;
    switch (change.kind) {
      case 'upsert': {
        if (current !== undefined && !current.deleted) {
          const moved = current.quarter !== change.row.quarter || current.bloggerId !== change.row.blogger_id;
          rows.push(deletionRow(imageId, current, moved ? change.version : current.version));
        }
        rows.push(current === undefined ? change.row : { ...change.row, is_update: 1 });
        state.set(imageId, { quarter: change.row.quarter, bloggerId: change.row.blogger_id, version: change.version, deleted: false, content: contentOf(change.row) });
        break;
      }
      case 'delete':
        if (current !== undefined && !current.deleted) {
          rows.push(deletionRow(imageId, current, change.version));
          state.set(imageId, { ...current, version: change.version, deleted: true });
        }
        break;
    }
  }
  return rows;
}
