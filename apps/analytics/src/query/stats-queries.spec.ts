import { followedQuery, followedScanQuery, risingQuery, trendQuery } from './stats-queries';
import { parseFollowedRequest, parseRisingRequest, parseTrendRequest } from './stats-request';

describe('stats queries', () => {
  it('trend: label values only as parameters, the dimension as a checked identifier', () => {
    const q = trendQuery(parseTrendRequest({ quarter: '2025Q2', dimension: 'color', where: "category:dress') OR 1=1 --", source: 'social' }));
    expect(q.query).toContain("sumMapIf(CAST(arrayMap(v -> (v, toUInt64(1)), color), 'Map(String, UInt64)'), quarter = {q:String})");
    expect(q.query).toContain('has(category, {w0:String})');
    expect(q.query).toContain('source IN {sources:Array(String)}');
    expect(q.query).not.toContain('OR 1=1');
    expect(q.query).not.toContain('FINAL\n');
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

  it('followed over many quarters: the signed blogger-ordered copy, net counts per blogger; few quarters and uniqueOnly scan image_facts', () => {
    const quarters = ['2024Q4', '2025Q1', '2025Q2'];
    const q = followedQuery(parseFollowedRequest({ bloggerIds: ['a', 'b'], dimension: 'style', quarters, where: [{ dimension: 'color', value: 'red' }], sources: ['social'] }));
    expect(q.query).toContain('FROM facts_by_blogger');
    expect(q.query).toContain('WHERE blogger_hash IN (SELECT cityHash64(arrayJoin({bloggers:Array(String)}))) AND quarter IN {quarters:Array(String)} AND has(color, {w0:String}) AND source IN {sources:Array(String)}');
    expect(q.query).toContain('sum(sign) AS n');
    expect(q.query).toContain('countIf(n > 0) AS bloggers');
    expect(q.params).toMatchObject({ bloggers: ['a', 'b'], quarters, w0: 'red', sources: ['social'] });
    expect(followedQuery(parseFollowedRequest({ bloggerIds: ['a'], dimension: 'style' })).query).toContain('FROM facts_by_blogger');
    for (const few of [['2025Q1'], ['2025Q1', '2025Q2']]) expect(followedQuery(parseFollowedRequest({ bloggerIds: ['a'], dimension: 'style', quarters: few })).query).not.toContain('facts_by_blogger');
    const unique = followedQuery(parseFollowedRequest({ bloggerIds: ['a'], dimension: 'style', uniqueOnly: true }));
    expect(unique.query).not.toContain('facts_by_blogger');
    expect(unique.query).toContain('image_dedup');
  });

  it('followed scan, named quarters: image_facts partitions without FINAL, the blogger hash in PREWHERE, the rest after', () => {
    const q = followedScanQuery(parseFollowedRequest({ bloggerIds: ['a', 'b', 'a'], dimension: 'style', quarters: ['2025Q1', '2025Q2'], where: [{ dimension: 'color', value: 'red' }] }));
    const keys = 'PREWHERE quarter IN {quarters:Array(String)} AND blogger_hash IN (SELECT cityHash64(arrayJoin({bloggers:Array(String)})))';
    const updated = '(SELECT DISTINCT quarter FROM image_facts WHERE quarter IN {quarters:Array(String)} AND is_update = 1)';
    // Partitions without updates: every row is live; partitions with updates: the live-row terms.
    expect(q.query).toContain(`FROM image_facts ${keys} AND quarter NOT IN ${updated} WHERE is_deleted = 0 AND has(color, {w0:String})`);
    expect(q.query).toContain(`FROM image_facts ${keys} AND quarter IN ${updated} WHERE is_deleted = 0 AND (image_hash NOT IN (SELECT image_hash FROM image_facts WHERE quarter IN {quarters:Array(String)} AND is_update = 1)`);
    expect(q.query).toContain('AND has(color, {w0:String})');
    expect(q.query).not.toContain('FINAL');
    expect(q.params).toMatchObject({ bloggers: ['a', 'b'], quarters: ['2025Q1', '2025Q2'], w0: 'red' });
  });

  it('followed scan, all quarters: the same pass over every partition', () => {
    const q = followedScanQuery(parseFollowedRequest({ bloggerIds: ['a'], dimension: 'style' }));
    expect(q.query).toContain('FROM image_facts PREWHERE blogger_hash IN (SELECT cityHash64(arrayJoin({bloggers:Array(String)}))) AND quarter NOT IN (SELECT DISTINCT quarter FROM image_facts WHERE is_update = 1)');
    expect(q.query).not.toContain('quarter IN {');
    expect(q.query).not.toContain('has(');
    expect(q.params).not.toHaveProperty('quarters');
  });
});
