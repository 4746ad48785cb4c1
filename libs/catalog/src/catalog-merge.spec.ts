import { sampleImageArrived, sampleVectorCleaned } from '@stylestream/schemas';
import { CatalogDocState } from './catalog-document';
import { mergeImageArrived, mergeTakeDown, mergeVectorCleaned, nearHashesOf } from './catalog-merge';

describe('catalogue merges', () => {
  const image = sampleImageArrived({ imageId: 'a' });

  it('image-arrived creates a live document and keeps an existing dedupe verdict', () => {
    const withDedupe = mergeVectorCleaned('a', sampleVectorCleaned({ imageId: 'a' }), 2, 7)(undefined);
    expect(withDedupe).toMatchObject({ state: CatalogDocState.PENDING, guards: { vectorCleaned: 7 } });
    const live = mergeImageArrived('a', image, 3)(withDedupe);
    expect(live).toMatchObject({ state: CatalogDocState.LIVE, uri: image.uri, labels: image.labels, dedupe: { status: 'NEAR_DUPLICATE', partition: 2, offset: 7 }, guards: { imageArrived: 3, vectorCleaned: 7 } });
  });

  it('skips an event at or below its topic guard (replay or reordering) but not one of another topic', () => {
    const live = mergeImageArrived('a', image, 5)(undefined);
    expect(mergeImageArrived('a', image, 5)(live)).toBeUndefined();
    expect(mergeImageArrived('a', image, 4)(live)).toBeUndefined();
    expect(mergeTakeDown('a', 5)(live)).toBeUndefined();
    expect(mergeVectorCleaned('a', sampleVectorCleaned(), 0, 1)(live)).toBeDefined();
  });

  it('a take-down keeps only the guards, so an older image-arrived cannot resurrect the image', () => {
    const down = mergeTakeDown('a', 9)(mergeImageArrived('a', image, 5)(undefined));
    expect(down).toEqual({ imageId: 'a', state: CatalogDocState.TAKEN_DOWN, guards: { imageArrived: 9 } });
    expect(mergeImageArrived('a', image, 8)(down)).toBeUndefined();
    expect(mergeImageArrived('a', image, 10)(down)?.state).toBe(CatalogDocState.LIVE);
  });

  it('vector-cleaned stores the hash bands and hashes, and a later image-arrived keeps them', () => {
    const cleaned = sampleVectorCleaned({ imageId: 'a', perceptualHash: '0123456789abcdef', cropHashes: ['0123456789abcdee', '0123456789abcdee'], fineHashes: ['1'.repeat(64), '2'.repeat(64)] });
    const live = mergeImageArrived('a', image, 3)(mergeVectorCleaned('a', cleaned, 0, 1)(undefined));
    expect(live?.nearHashes).toEqual({
      bands: ['0:0123', '1:4567', '2:89ab', '3:cdef'],
      cropBands: ['0:0123', '1:4567', '2:89ab', '3:cdee'],
      perceptualHash: '0123456789abcdef',
      cropHashes: ['0123456789abcdee', '0123456789abcdee'],
      fineHash: '1'.repeat(64),
      fineCropHashes: ['2'.repeat(64)],
    });
    expect(nearHashesOf({ perceptualHash: 'not-hex', cropHashes: [], fineHashes: [] })).toBeUndefined();
    expect(nearHashesOf({ perceptualHash: '0123456789abcdef' })).toMatchObject({ cropBands: [], fineHash: null, fineCropHashes: [] });
  });
});
