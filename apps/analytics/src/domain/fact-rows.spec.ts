import { emptyLabels, type ImageArrived } from '@stylestream/schemas';
import { FactChange, type FactRow, StoredFactKey, factRowOf, planFactRows } from './fact-rows';

const event = (over: Partial<ImageArrived> = {}): ImageArrived => ({
  imageId: 'img-1',
  uri: 'file:///x.jpg',
  source: 'social',
  bloggerId: 'b1',
  publishedAt: Date.UTC(2025, 4, 10),
  crawledAt: Date.UTC(2025, 4, 11),
  labels: { ...emptyLabels(), color: ['red', 'red', 'blue'], category: ['dress'] },
  attributes: {},
  ...over,
});
const upsert = (version: number, over: Partial<ImageArrived> = {}): FactChange => ({ kind: 'upsert', version, row: factRowOf(event(over), version) });
const storedContent = { ...emptyLabels(), source: 'retail', published_at: '2025-04-01 00:00:00.000', crawled_at: '2025-04-02 00:00:00.000', style: ['boho'] };
const stored = (key: Partial<StoredFactKey> & { version: number }): Map<string, StoredFactKey> =>
  new Map([['img-1', { quarter: '2025Q2', bloggerId: 'b1', deleted: false, content: storedContent, ...key }]]);
/** The rows as [blogger, version, is_deleted, is_update, retracts]. */
const shape = (rows: readonly FactRow[]): unknown[] => rows.map((r) => [r.blogger_id, r.version, r.is_deleted, r.is_update, r.retracts]);

describe('factRowOf', () => {
  it('derives the quarter (UTC), de-duplicates labels, versions by offset', () => {
    const row = factRowOf(event(), 42);
    expect(row).toMatchObject({ image_id: 'img-1', quarter: '2025Q2', blogger_id: 'b1', version: 42, is_deleted: 0, color: ['red', 'blue'] });
    expect(row.published_at).toBe('2025-05-10 00:00:00.000');
    expect(factRowOf(event({ bloggerId: null, publishedAt: Date.UTC(2024, 11, 31, 23, 59) }), 1)).toMatchObject({ blogger_id: '', quarter: '2024Q4' });
  });
});

describe('planFactRows', () => {
  it('writes a new image', () => {
    expect(planFactRows([upsert(5)], new Map())).toEqual([factRowOf(event(), 5)]);
  });

  it('skips a replayed or older event (version not above the stored one)', () => {
    expect(planFactRows([upsert(5)], stored({ version: 5 }))).toEqual([]);
    expect(planFactRows([upsert(4)], stored({ version: 9, deleted: true }))).toEqual([]);
  });

  it('replaces in place at the same key, marked as an update, with a retraction row of the live row at its own version', () => {
    const rows = planFactRows([upsert(7)], stored({ version: 5 }));
    expect(rows).toEqual([
      { image_id: 'img-1', quarter: '2025Q2', blogger_id: 'b1', ...storedContent, version: 5, is_deleted: 1, is_update: 1, retracts: 1 },
      { ...factRowOf(event(), 7), is_update: 1 },
    ]);
    expect(factRowOf(event(), 7)).toMatchObject({ is_update: 0, retracts: 0 });
  });

  it('writes a deletion carrying the old content at the old key when the image moves to another quarter or blogger', () => {
    const rows = planFactRows([upsert(8, { bloggerId: 'b2' })], stored({ version: 5 }));
    expect(rows.map((r) => [r.quarter, r.blogger_id, r.version, r.is_deleted, r.is_update, r.retracts])).toEqual([
      ['2025Q2', 'b1', 8, 1, 1, 1],
      ['2025Q2', 'b2', 8, 0, 1, 0],
    ]);
    expect(rows[0]).toMatchObject(storedContent);
  });

  it('a tombstone writes a deletion carrying the live content at the stored key; nothing when absent or already deleted', () => {
    const del: FactChange = { kind: 'delete', imageId: 'img-1', version: 9 };
    const rows = planFactRows([del], stored({ version: 5 }));
    expect(rows.map((r) => [r.quarter, r.blogger_id, r.version, r.is_deleted, r.is_update, r.retracts])).toEqual([['2025Q2', 'b1', 9, 1, 1, 1]]);
    expect(rows[0]).toMatchObject(storedContent);
    expect(planFactRows([del], new Map())).toEqual([]);
    expect(planFactRows([del], stored({ version: 6, deleted: true }))).toEqual([]);
  });

  it('re-publishing after a take-down brings the image back', () => {
    expect(planFactRows([upsert(12)], stored({ version: 9, deleted: true }))).toEqual([{ ...factRowOf(event(), 12), is_update: 1 }]);
  });

  it('plans several changes of one image in one batch in offset order, each against the state the previous left', () => {
    const del = (version: number): FactChange => ({ kind: 'delete', imageId: 'img-1', version });
    const changes = [upsert(6, { bloggerId: 'b2' }), upsert(6, { bloggerId: 'b2' }), del(7), del(8), upsert(9, { bloggerId: 'b3' }), upsert(4)];
    const rows = planFactRows(changes, stored({ version: 5 }));
    expect(shape(rows)).toEqual([
      ['b1', 6, 1, 1, 1],
      ['b2', 6, 0, 1, 0],
      ['b2', 7, 1, 1, 1],
      ['b3', 9, 0, 1, 0],
    ]);
    // The tombstone at 7 takes back the row planned at 6 (its content, from this batch).
    expect(rows[2]).toMatchObject({ color: ['red', 'blue'], source: 'social' });
    // Only an image's first row is not an update, also within one batch; the second takes the first back.
    expect(shape(planFactRows([del(3), upsert(4), upsert(5)], new Map()))).toEqual([
      ['b1', 4, 0, 0, 0],
      ['b1', 4, 1, 1, 1],
      ['b1', 5, 0, 1, 0],
    ]);
  });
});
