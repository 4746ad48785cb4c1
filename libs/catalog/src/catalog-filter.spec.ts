import { InvalidInputError } from '@stylestream/errors';
import { buildCatalogFilterQuery, parseCatalogFilter } from './catalog-filter';

function rejection(input: unknown): string {
  try {
    parseCatalogFilter(input);
  } catch (err) {
    expect(err).toBeInstanceOf(InvalidInputError);
    expect(err).toMatchObject({ code: 'INVALID_FILTER' });
    return (err as Error).message;
  }
  throw new Error('expected a rejection');
}

describe('catalogue filter (JSON form)', () => {
  it('parses every condition, instants as ISO or ms', () => {
    expect(
      parseCatalogFilter({
        labels: { color: ['red', ' blue '], style: ['casual'] },
        source: ['social', 'runway'],
        bloggerIds: ['b1', 'b2'],
        publishedFrom: '2025-10-01T00:00:00Z',
        publishedTo: 1_760_000_000_000,
        excludeDuplicates: true,
        text: ' linen shirt ',
      }),
    ).toEqual({
      labels: { color: ['red', 'blue'], style: ['casual'] },
      source: ['social', 'runway'],
      bloggerIds: ['b1', 'b2'],
      publishedFrom: Date.parse('2025-10-01T00:00:00Z'),
      publishedTo: 1_760_000_000_000,
      excludeDuplicates: true,
      text: 'linen shirt',
    });
    expect(parseCatalogFilter(undefined)).toEqual({ labels: {} });
  });

  it.each([
    [{ labels: { colour: ['red'] } }, /"filter\.labels\.colour": unknown/],
    [{ labels: { color: [] } }, /"filter\.labels\.color": must not be empty/],
    [{ source: ['tv'] }, /"filter\.source\.0"/],
    [{ bloggerIds: Array.from({ length: 2001 }, (_, i) => `b${i}`) }, /"filter\.bloggerIds": at most 2000 values/],
    [{ publishedFrom: 'yesterday' }, /"filter\.publishedFrom": must be an ISO-8601/],
    [{ publishedFrom: 2000, publishedTo: 1000 }, /"filter\.publishedFrom": must not be after publishedTo/],
    [{ excludeDuplicates: 'yes' }, /"filter\.excludeDuplicates"/],
    [{ shape: 'round' }, /"filter\.shape": unknown/],
  ])('rejects %j naming the field', (input, message) => {
    expect(rejection(input)).toMatch(message);
  });

  it('accepts 2,000 blogger ids and puts every condition in filter context for candidates', () => {
    const bloggers = Array.from({ length: 2000 }, (_, i) => `b${i}`);
    const filter = parseCatalogFilter({ labels: { color: ['red'] }, bloggerIds: bloggers, text: 'coat', excludeDuplicates: true });
    expect(buildCatalogFilterQuery(filter)).toEqual({
      bool: {
        filter: [{ term: { state: 'live' } }, { terms: { 'labels.color': ['red'] } }, { terms: { bloggerId: bloggers } }, { match: { title: { query: 'coat', operator: 'and' } } }],
        must_not: [{ terms: { 'dedupe.status': ['EXACT_DUPLICATE', 'NEAR_DUPLICATE'] } }],
      },
    });
    expect(buildCatalogFilterQuery(filter, { scoreText: true }).bool.must).toEqual([{ match: { title: { query: 'coat', operator: 'and' } } }]);
  });
});
