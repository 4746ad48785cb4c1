import { InvalidInputError } from '@stylestream/errors';
import { parseFollowedRequest, parseRisingRequest, parseTrendRequest } from './stats-request';

function reasonOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(InvalidInputError);
    return (err as Error).message;
  }
  throw new Error('expected InvalidInputError');
}

describe('stats requests', () => {
  it('parses a trend query with conditions, sources and the previous quarter', () => {
    expect(parseTrendRequest({ quarter: '2025Q1', dimension: 'color', where: 'category:dress,fabric:silk', source: 'social,runway' })).toEqual({
      quarter: '2025Q1',
      previousQuarter: '2024Q4',
      dimension: 'color',
      where: [
        { dimension: 'category', value: 'dress' },
        { dimension: 'fabric', value: 'silk' },
      ],
      sources: ['social', 'runway'],
      uniqueOnly: false,
      limit: 50,
    });
  });

  it('names the bad parameter', () => {
    expect(reasonOf(() => parseTrendRequest({ quarter: '2025-1', dimension: 'color' }))).toMatch(/^quarter: must be a quarter/);
    expect(reasonOf(() => parseTrendRequest({ quarter: '2025Q1', dimension: 'mood' }))).toMatch(/^dimension: must be one of category/);
    expect(reasonOf(() => parseTrendRequest({ quarter: '2025Q1', dimension: 'color', where: 'mood:happy' }))).toMatch(/^where \(where\.0\.dimension\)/);
    expect(reasonOf(() => parseTrendRequest({ quarter: '2025Q1', dimension: 'color', source: 'tv' }))).toMatch(/^source/);
    expect(reasonOf(() => parseTrendRequest({ quarter: '2025Q1', dimension: 'color', limit: '0' }))).toMatch(/^limit/);
    expect(reasonOf(() => parseRisingRequest({}))).toMatch(/^quarter/);
  });

  it('accepts up to 2,000 bloggers and rejects more, naming bloggerIds', () => {
    const ids = Array.from({ length: 2000 }, (_, i) => `b${i}`);
    expect(parseFollowedRequest({ bloggerIds: ids, dimension: 'style' }).bloggerIds).toHaveLength(2000);
    expect(reasonOf(() => parseFollowedRequest({ bloggerIds: [...ids, 'one-more'], dimension: 'style' }))).toMatch(/^bloggerIds.*at most 2000/);
    expect(reasonOf(() => parseFollowedRequest({ bloggerIds: [], dimension: 'style' }))).toMatch(/^bloggerIds/);
    expect(reasonOf(() => parseFollowedRequest({ bloggerIds: ['a'], dimension: 'style', quarters: ['2025Q9'] }))).toMatch(/^quarters/);
    expect(reasonOf(() => parseFollowedRequest(undefined))).toMatch(/^bloggerIds/);
  });

  it('rising: dimension optional, default limit 10', () => {
    expect(parseRisingRequest({ quarter: '2025Q2' })).toMatchObject({ dimension: undefined, limit: 10, previousQuarter: '2025Q1' });
  });
});
