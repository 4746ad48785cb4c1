import { followedQuery, risingQuery, trendQuery } from './stats-queries';
import { parseFollowedRequest, parseRisingRequest, parseTrendRequest } from './stats-request';

describe('stats queries', () => {
  it('trend: label values only as parameters, the dimension as a checked identifier', () => {
    const q = trendQuery(parseTrendRequest({ quarter: '2025Q2', dimension: 'color', where: "category:dress') OR 1=1 --", source: 'social' }));
    expect(q.query).toContain("sumMapIf(CAST(arrayMap(v -> (v, toUInt64(1)), color), 'Map(String, UInt64)'), quarter = {q:String})");
    expect(q.query).toContain('has(category, {w0:String})');
    expect(q.query).toContain('source IN {sources:Array(String)}');
    expect(q.query).not.toContain('OR 1=1');
    expect(q.params).toEqual({ q: '2025Q2', pq: '2025Q1', w0: "dress') OR 1=1 --", sources: ['social'] });
  });

  it('uniqueOnly excludes duplicates by the dedupe verdict', () => {
    const q = trendQuery(parseTrendRequest({ quarter: '2025Q2', dimension: 'color', uniqueOnly: 'true' }));
    expect(q.query).toContain("image_id NOT IN (SELECT image_id FROM image_dedup FINAL WHERE status != 'UNIQUE')");
  });

  it('rising over every dimension tags each label with its dimension', () => {
    const q = risingQuery(parseRisingRequest({ quarter: '2025Q2' }));
    expect(q.query).toContain("arrayMap(v -> tuple('category', v), category)");
    expect(q.query).toContain("arrayMap(v -> tuple('color', v), color)");
    expect(q.query).toContain('HAVING count > previous');
  });

  it('followed, all quarters (or many): the blogger-ordered copy; key conditions on the rows read, the rest on the highest version per image', () => {
    const many = ['2024Q1', '2024Q2', '2024Q3'];
    const q = followedQuery(parseFollowedRequest({ bloggerIds: ['a', 'b', 'a'], dimension: 'style', quarters: many, where: [{ dimension: 'color', value: 'red' }] }));
    expect(q.query).toContain('FROM image_facts_by_blogger\n    PREWHERE blogger_id IN {bloggers:Array(String)} AND quarter IN {quarters:Array(String)}\n    GROUP BY image_id');
    expect(q.query).toContain('argMax((blogger_id, quarter, source, is_deleted, style, color), (version, 1 - is_deleted)) AS r');
    expect(q.query).toContain('r.5 AS style, r.6 AS color');
    expect(q.query).toContain('WHERE is_deleted = 0 AND has(color, {w0:String})');
    expect(q.query).not.toContain('FINAL');
    expect(q.params).toMatchObject({ bloggers: ['a', 'b'], quarters: many, w0: 'red' });
    const all = followedQuery(parseFollowedRequest({ bloggerIds: ['a'], dimension: 'style' })).query;
    expect(all).toContain('FROM image_facts_by_blogger');
    expect(all).not.toContain('quarter IN');
    expect(all).not.toContain('has(');
    expect(all).not.toContain('image_id)');
    expect(followedQuery(parseFollowedRequest({ bloggerIds: ['a'], dimension: 'style', uniqueOnly: true })).query).toContain('r.6 AS image_id');
  });

  it('followed, one or two quarters: image_facts partitions without FINAL (live rows by liveFactTerms)', () => {
    const q = followedQuery(parseFollowedRequest({ bloggerIds: ['a'], dimension: 'style', quarters: ['2025Q1', '2025Q2'], where: [{ dimension: 'color', value: 'red' }] }));
    expect(q.query).toContain('FROM image_facts\nWHERE quarter IN {quarters:Array(String)} AND blogger_id IN {bloggers:Array(String)} AND is_deleted = 0');
    expect(q.query).toContain('image_hash NOT IN (SELECT image_hash FROM image_facts WHERE quarter IN {quarters:Array(String)} AND is_update = 1)');
    expect(q.query).toContain('AND has(color, {w0:String})');
    expect(q.query).not.toContain('FINAL');
    expect(q.params).toMatchObject({ bloggers: ['a'], quarters: ['2025Q1', '2025Q2'], w0: 'red' });
  });
});
