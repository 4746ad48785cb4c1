import { AnalyticsQueryService } from './analytics-query.service';
import type { SqlRunner } from './sql-runner';
import type { SqlQuery } from './stats-queries';
import { parseTrendRequest } from './stats-request';

class FakeSql implements SqlRunner {
  constructor(private readonly answer: (q: SqlQuery) => unknown[]) {}
  rows<T>(q: SqlQuery): Promise<T[]> {
    return Promise.resolve(this.answer(q) as T[]);
  }
}

describe('AnalyticsQueryService.trend', () => {
  it('computes change, direction and shares from counts (numbers may come as strings)', async () => {
    const sql = new FakeSql((q) =>
      q.query.includes('ARRAY JOIN')
        ? [
            { value: 'red', count: '6', previous: '2' },
            { value: 'blue', count: 2, previous: 5 },
            { value: 'green', count: 2, previous: 2 },
          ]
        : [{ images: '8', previous_images: 7, labels: 10, previous_labels: 9 }],
    );
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
      ],
    });
  });
});
