import { AnalyticsQueryService } from './analytics-query.service';
import type { SqlRunner } from './sql-runner';
import type { SqlQuery } from './stats-queries';
import { parseFollowedRequest, parseTrendRequest } from './stats-request';

class FakeSql implements SqlRunner {
  constructor(private readonly answer: (q: SqlQuery) => unknown[]) {}
  rows<T>(q: SqlQuery): Promise<T[]> {
    return Promise.resolve(this.answer(q) as T[]);
  }
}

describe('AnalyticsQueryService.trend', () => {
  it('computes change, direction and shares from counts (numbers may come as strings)', async () => {
    const sql = new FakeSql(() => [{ images: '8', previous_images: 7, counts: { green: 2, blue: 2, red: '6' }, previous_counts: { red: '2', blue: 5, green: 2, grey: 1 } }]);
    const stats = await new AnalyticsQueryService(sql).trend(parseTrendRequest({ quarter: '2025Q2', dimension: 'color' }));
    expect(stats).toEqual({
      quarter: '2025Q2',
      previousQuarter: '2025Q1',
      dimension: 'color',
      images: 8,
      previousImages: 7,
      values: [
        { value: 'red', count: 6, previousCount: 2, change: 4, direction: 'up', share: 0.6 },
        { value: 'blue', count: 2, previousCount: 5, change: -3, direction: 'down', share: 0.2 },
        { value: 'green', count: 2, previousCount: 2, change: 0, direction: 'flat', share: 0.2 },
        { value: 'grey', count: 0, previousCount: 1, change: -1, direction: 'down', share: 0 },
      ],
    });
    const limited = await new AnalyticsQueryService(sql).trend(parseTrendRequest({ quarter: '2025Q2', dimension: 'color', limit: '2' }));
    expect(limited.values.map((v) => v.value)).toEqual(['red', 'blue']);
  });
});

describe('AnalyticsQueryService.followed', () => {
  it('ranks label values and sources by count (ties by value), quarters in order, shares of label occurrences', async () => {
    const sql = new FakeSql(() => [
      { images: '5', bloggers: 2, labels: '8', by_value: { b: '2', a: '2', c: 4 }, by_source: { runway: 1, social: '4' }, by_quarter: { '2025Q2': 3, '2024Q4': 2 } },
    ]);
    const stats = await new AnalyticsQueryService(sql).followed(parseFollowedRequest({ bloggerIds: ['x', 'y', 'z'], dimension: 'color', limit: 2 }));
    expect(stats).toEqual({
      bloggersRequested: 3,
      bloggersWithImages: 2,
      images: 5,
      dimension: 'color',
      byValue: [
        { value: 'c', count: 4, share: 0.5 },
        { value: 'a', count: 2, share: 0.25 },
      ],
      bySource: [
        { source: 'social', count: 4 },
        { source: 'runway', count: 1 },
      ],
      byQuarter: [
        { quarter: '2024Q4', count: 2 },
        { quarter: '2025Q2', count: 3 },
      ],
    });
  });

  it('no matching images: zeros and empty lists', async () => {
    const stats = await new AnalyticsQueryService(new FakeSql(() => [{ images: 0, bloggers: 0, labels: 0, by_value: {}, by_source: {}, by_quarter: {} }])).followed(
      parseFollowedRequest({ bloggerIds: ['x'], dimension: 'color' }),
    );
    expect(stats).toMatchObject({ images: 0, byValue: [], bySource: [], byQuarter: [] });
  });
});
