import { bandTerms } from './phash-bands';
import { hashEvidence, hashIsClose, hashTierPasses, isNear, parseImageHashes, type NearDuplicateThresholds } from './near-duplicate.rule';

const tiered: NearDuplicateThresholds = { rule: 'tiered', maxHammingDistance: 2, minCosine: 0.98, minCosineWithPhash: 0.5, maxFineDistance: 20 };
const fineOf = (flips: number) => (flips === 0 ? '0'.repeat(64) : `${'f'.repeat(Math.floor(flips / 4))}${'0'.repeat(64 - Math.floor(flips / 4))}`);

describe('near-duplicate rule', () => {
  it('bandTerms name each 16-bit band with its index, so band i only meets band i', () => {
    expect(bandTerms(parseImageHashes({ perceptualHash: '0123456789abcdef' }).hash)).toEqual(['0:0123', '1:4567', '2:89ab', '3:cdef']);
  });

  it('the crop-aware distance takes the closest of full frames and either image against the other\'s crops', () => {
    const original = parseImageHashes({ perceptualHash: 'ffffffffffffffff', cropHashes: ['00000000000000ff'] });
    const crop = parseImageHashes({ perceptualHash: '00000000000000fe' });
    expect(hashEvidence(crop, original).distance).toBe(1);
    expect(hashEvidence(original, crop).distance).toBe(1);
    expect(hashEvidence(crop, parseImageHashes({ perceptualHash: 'ffffffffffffffff' })).distance).toBe(57);
  });

  it('tiered hash clause: fine distance when both have fine hashes, else 64-bit; always with the cosine floor', () => {
    const a = parseImageHashes({ perceptualHash: '0000000000000000', fineHashes: [fineOf(0)] });
    const near = hashEvidence(a, parseImageHashes({ perceptualHash: 'ff00000000000000', fineHashes: [fineOf(16)] }));
    expect(near).toEqual({ distance: 8, fine: 16 });
    expect(hashIsClose(near, tiered)).toBe(true);
    expect(hashTierPasses(near, 0.6, tiered)).toBe(true);
    expect(hashTierPasses(near, 0.4, tiered)).toBe(false);
    const far = hashEvidence(a, parseImageHashes({ perceptualHash: '0000000000000000', fineHashes: [fineOf(24)] }));
    expect(hashTierPasses(far, 0.9, tiered)).toBe(false);
    expect(isNear(far, 0.99, tiered)).toBe(true);
    const noFine = hashEvidence(a, parseImageHashes({ perceptualHash: '0000000000000003' }));
    expect(noFine.fine).toBeUndefined();
    expect(hashTierPasses(noFine, 0.6, tiered)).toBe(true);
  });
});
