import { InvalidInputError } from '@stylestream/errors';
import { SearchCursorCodec } from './search-cursor.codec';
import type { VectorQuery } from './search-query';

const query: VectorQuery = { vector: [0.6, 0.8], k: 2, ef: 64, modelVersion: '1.0.0', filter: { labels: { color: ['red'] }, excludeDuplicates: true }, excludeIds: ['self'], offset: 4 };

describe('SearchCursorCodec', () => {
  const codec = new SearchCursorCodec('a-secret-of-16-chars');

  it('round-trips the whole query, advancing the offset and setting the boundary', () => {
    const next = codec.decode(codec.encode(query, 2, { score: 0.5, id: 'img-9' }));
    expect(next).toMatchObject({ k: 2, ef: 64, modelVersion: '1.0.0', filter: query.filter, excludeIds: ['self'], offset: 6, after: { score: 0.5, id: 'img-9' } });
    expect(next.vector[0]).toBeCloseTo(0.6, 6);
  });

  it('refuses an altered, foreign or malformed cursor with a 400 naming the parameter', () => {
    const cursor = codec.encode(query, 2, { score: 0.5, id: 'img-9' });
    const [body, mac] = cursor.split('.');
    const edited = Buffer.from(Buffer.from(body ?? '', 'base64url').toString('utf8').replace('"o":6', '"o":600'), 'utf8').toString('base64url');
    for (const bad of [`${edited}.${mac ?? ''}`, new SearchCursorCodec('another-secret-16ch').encode(query, 2, { score: 0.5, id: 'x' }), 'garbage', '']) {
      expect(() => codec.decode(bad)).toThrow(InvalidInputError);
    }
    expect(() => codec.decode('garbage')).toThrow(/"cursor"/);
  });
});
