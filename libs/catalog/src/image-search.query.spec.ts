import { InvalidInputError } from '@stylestream/errors';
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
      labels: { color: ['red', 'white'], category: ['dress', 'skirt'] },
      source: ['social'],
      bloggerId: ['b1'],
      publishedFrom: Date.parse('2025-10-01T00:00:00Z'),
      publishedTo: 1_760_000_000_000,
      text: 'summer',
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
});
