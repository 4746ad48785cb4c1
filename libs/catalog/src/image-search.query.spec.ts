import { InvalidInputError } from '@stylestream/errors';
import { encodeCursor } from './image-search.cursor';
import { buildImageSearchRequest, parseImageSearch } from './image-search.query';

function rejection(params: Record<string, unknown>): string {
  try {
    parseImageSearch(params);
  } catch (err) {
    expect(err).toBeInstanceOf(InvalidInputError);
    return (err as Error).message;
  }
  throw new Error('expected a rejection');
}

describe('image search parameters', () => {
  it('parses label, source, blogger, time and text filters with defaults', () => {
    const search = parseImageSearch({ color: 'red, white', category: ['dress', 'skirt'], source: 'social', bloggerId: 'b1', publishedFrom: '2025-10-01T00:00:00Z', publishedTo: '1760000000000', q: ' summer ' });
    expect(search).toMatchObject({
      filter: {
        labels: { color: ['red', 'white'], category: ['dress', 'skirt'] },
        source: ['social'],
        bloggerIds: ['b1'],
        publishedFrom: Date.parse('2025-10-01T00:00:00Z'),
        publishedTo: 1_760_000_000_000,
        text: 'summer',
      },
      size: 20,
      from: 0,
    });
    expect(search.facets).toHaveLength(9);
  });

  it.each([
    [{ colour: 'red' }, /"colour": unknown/],
    [{ source: 'tv' }, /"source": unknown source "tv"/],
    [{ size: '101' }, /"size": must be an integer between 0 and 100/],
    [{ size: 'ten' }, /"size"/],
    [{ from: '9990', size: '20' }, /"from": from \+ size/],
    [{ publishedFrom: 'yesterday' }, /"publishedFrom": must be an ISO-8601/],
    [{ publishedFrom: '2000', publishedTo: '1000' }, /"publishedFrom": must not be after publishedTo/],
    [{ facets: 'colour' }, /"facets": unknown dimension "colour"/],
    [{ color: ',' }, /"color": must not be empty/],
    [{ q: ['a', 'b'] }, /"q": must be given once/],
    [{ excludeDuplicates: 'yes' }, /"excludeDuplicates": must be true or false/],
    [{ bloggerId: Array.from({ length: 2001 }, (_, i) => `b${i}`).join(',') }, /"bloggerId": at most 2000 values/],
    [{ cursor: 'garbage' }, /"cursor": malformed/],
    [{ cursor: 'x', from: '20' }, /"from": must not be given with a cursor/],
  ])('rejects %j naming the parameter', (params, message) => {
    expect(rejection(params)).toMatch(message);
  });

  it('builds filters in filter context, live documents only, text scored, one terms aggregation per facet', () => {
    const body = buildImageSearchRequest(parseImageSearch({ color: 'red', source: 'social', publishedFrom: '1000', q: 'coat', facets: 'color,style', size: '5', from: '10' }));
    expect(body).toMatchObject({
      query: {
        bool: {
          filter: [{ term: { state: 'live' } }, { terms: { 'labels.color': ['red'] } }, { terms: { source: ['social'] } }, { range: { publishedAt: { gte: 1000 } } }],
          must: [{ match: { title: { query: 'coat', operator: 'and' } } }],
        },
      },
      size: 5,
      from: 10,
      aggs: { color: { terms: { field: 'labels.color' } }, style: { terms: { field: 'labels.style' } } },
    });
    expect(Object.keys(body.aggs as object)).toEqual(['color', 'style']);
  });

  it('leaves out duplicates on request and skips facets with facets=none', () => {
    const body = buildImageSearchRequest(parseImageSearch({ excludeDuplicates: 'true', facets: 'none' }));
    expect(body.query).toMatchObject({ bool: { must_not: [{ terms: { 'dedupe.status': ['EXACT_DUPLICATE', 'NEAR_DUPLICATE'] } }] } });
    expect(body.aggs).toBeUndefined();
  });

  it('pages past the from/size window with a cursor bound to the filters it was made for', () => {
    const filter = parseImageSearch({ color: 'red' }).filter;
    const cursor = encodeCursor(filter, [1_760_000_000_000, 'img-7']);
    const next = parseImageSearch({ color: 'red', cursor, size: '50' });
    expect(next).toMatchObject({ from: 0, after: [1_760_000_000_000, 'img-7'], size: 50 });
    const body = buildImageSearchRequest(next);
    expect(body).toMatchObject({ search_after: [1_760_000_000_000, 'img-7'], sort: [{ publishedAt: 'desc' }, { imageId: 'asc' }] });
    expect(body.from).toBeUndefined();
    expect(rejection({ color: 'blue', cursor })).toMatch(/"cursor": malformed, or from a query with other filters/);
  });
});
