import type { NearDuplicateCandidate } from '@stylestream/catalog';
import type { NearDuplicateThresholds } from '@stylestream/near-duplicate';
import { hashCloseCandidates, promoteNearDuplicates, verifyNearDuplicates } from './near-duplicate.promotion';

const tiered: NearDuplicateThresholds = { rule: 'tiered', maxHammingDistance: 2, minCosine: 0.98, minCosineWithPhash: 0.5, maxFineDistance: 20 };
/** A fine hash `flips` bits (a multiple of 4) away from all zeros. */
const fine = (flips: number) => `${'f'.repeat(flips / 4)}${'0'.repeat(64 - flips / 4)}`;
const QUERY = { perceptualHash: '0000000000000000', cropHashes: [], fineHashes: [fine(0)] };

function candidate(imageId: string, fineFlips: number): NearDuplicateCandidate {
  return { imageId, hashes: { perceptualHash: '0000000000000000', fineHashes: [fine(fineFlips)] }, facts: { imageId, uri: `u:${imageId}`, source: null, bloggerId: null, publishedAt: null, labels: {}, dedupeStatus: 'UNIQUE', duplicateOf: null } };
}

describe('near-duplicate promotion', () => {
  it('keeps only hash-close candidates, minus excluded ids and malformed stored hashes', () => {
    const bad = { ...candidate('bad', 0), hashes: { perceptualHash: 'xyz' } };
    const close = hashCloseCandidates(QUERY, [candidate('a', 8), candidate('far', 40), candidate('self', 0), bad], tiered, ['self']);
    expect(close.map((c) => c.candidate.imageId)).toEqual(['a']);
    expect(close[0]?.evidence.fine).toBe(8);
  });

  it('verifies with the cosine floor, never promotes an unscored id, orders by hash distance then cosine', () => {
    const close = hashCloseCandidates(QUERY, [candidate('b', 12), candidate('a', 4), candidate('c', 12), candidate('low', 0), candidate('unindexed', 0)], tiered, []);
    const verified = verifyNearDuplicates(close, new Map([['a', 0.7], ['b', 0.9], ['c', 0.95], ['low', 0.3]]), tiered);
    expect(verified.map((v) => v.hit.id)).toEqual(['a', 'c', 'b']);
    expect(verified[0]?.hit).toMatchObject({ score: 0.7, nearDuplicate: { hashDistance: 4, hashBits: 256 }, facts: { uri: 'u:a' } });
  });

  it('puts promoted hits first, drops them from the vector order and reports what was pushed off', () => {
    const vectorPage = ['x', 'a', 'y', 'z'].map((id, i) => ({ id, score: 0.9 - i / 10 }));
    const verified = verifyNearDuplicates(hashCloseCandidates(QUERY, [candidate('a', 4), candidate('o', 0)], tiered, []), new Map([['a', 0.8], ['o', 0.6]]), tiered);
    const page = promoteNearDuplicates(vectorPage, verified, 4);
    expect(page.hits.map((h) => h.id)).toEqual(['o', 'a', 'x', 'y']);
    expect(page).toMatchObject({ promotedIds: ['o', 'a'], lastVectorHit: { id: 'y', score: 0.7 }, pushedOff: 1 });
    const all = promoteNearDuplicates(vectorPage, verified, 1);
    expect(all).toMatchObject({ promotedIds: ['o'], lastVectorHit: undefined, pushedOff: 4 });
    expect(all.hits.map((h) => h.id)).toEqual(['o']);
  });
});
