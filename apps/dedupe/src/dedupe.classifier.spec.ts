import { parsePerceptualHash } from '@stylestream/schemas';
import { classify, hashDistance, type DedupeCandidate, type DedupeThresholds } from './dedupe.classifier';
import { DedupeState, type DedupeEntry } from './dedupe-state';

const DIM = 16;
const thresholds: DedupeThresholds = { maxHammingDistance: 3, minCosine: 0.97, rule: 'phash-or-cosine' };

/** A deterministic unit vector; `tilt` > 0 mixes in a second direction (cosine to tilt 0 ≈ 1/sqrt(1+tilt²)). */
function unit(seed: number, tilt = 0): Float32Array {
  const a = Array.from({ length: DIM }, (_, i) => Math.sin(seed * 12.9898 + i * 78.233));
  const b = Array.from({ length: DIM }, (_, i) => Math.cos(seed * 4.1414 + i * 3.7));
  const v = a.map((x, i) => x + tilt * b[i]);
  const n = Math.hypot(...v);
  return Float32Array.from(v.map((x) => x / n));
}

const sha = (c: string): string => c.repeat(64);

function image(imageId: string, overrides: Partial<DedupeCandidate> = {}): DedupeCandidate {
  return { imageId, contentSha256: sha('a'), perceptualHash: '0123456789abcdef', modelVersion: '1.0.0', vector: unit(1), ...overrides };
}

function canonical(c: DedupeCandidate): DedupeEntry {
  return { ...c, status: 'UNIQUE', duplicateOf: null, similarity: null };
}

describe('classify', () => {
  it('is UNIQUE against an empty state', () => {
    expect(classify(new DedupeState(), image('a'), thresholds)).toEqual({ status: 'UNIQUE', duplicateOf: null, similarity: null, repeated: false });
  });

  it('finds an exact duplicate by content SHA-256 whatever the pHash and vector', () => {
    const state = new DedupeState();
    state.put(canonical(image('orig')));
    const d = classify(state, image('copy', { perceptualHash: 'ffffffffffffffff', vector: unit(99) }), thresholds);
    expect(d).toMatchObject({ status: 'EXACT_DUPLICATE', duplicateOf: 'orig', similarity: 1 });
  });

  it('finds a near duplicate by pHash distance ≤ 3 even when the vectors differ', () => {
    const state = new DedupeState();
    state.put(canonical(image('orig')));
    // 3 bits flipped, in three different bands.
    const d = classify(state, image('near', { contentSha256: sha('b'), perceptualHash: '0122456689abcdee', vector: unit(50) }), thresholds);
    expect(d.status).toBe('NEAR_DUPLICATE');
    expect(d.duplicateOf).toBe('orig');
    expect(d.similarity).toBeGreaterThan(0);
  });

  it('finds a near duplicate by cosine among band candidates when the pHash is farther than the threshold', () => {
    const state = new DedupeState();
    state.put(canonical(image('orig')));
    // Same first band, 8 bits differ elsewhere; nearly the same vector.
    const d = classify(state, image('near', { contentSha256: sha('b'), perceptualHash: '0123a9876a5bcdef', vector: unit(1, 0.05) }), thresholds);
    expect(d.status).toBe('NEAR_DUPLICATE');
    expect(d.similarity).toBeGreaterThan(0.99);
  });

  it('keeps distinct images UNIQUE (far pHash, far vector) and honours the rule', () => {
    const state = new DedupeState();
    state.put(canonical(image('orig')));
    expect(classify(state, image('other', { contentSha256: sha('c'), perceptualHash: 'fedcba9876543210', vector: unit(7) }), thresholds).status).toBe('UNIQUE');
    // Near by pHash but not by cosine: the 'phash-and-cosine' rule says UNIQUE.
    const nearHash = image('x', { contentSha256: sha('d'), perceptualHash: '0123456789abcdee', vector: unit(7) });
    expect(classify(state, nearHash, { ...thresholds, rule: 'phash-and-cosine' }).status).toBe('UNIQUE');
    expect(classify(state, nearHash, { ...thresholds, rule: 'phash' }).status).toBe('NEAR_DUPLICATE');
    // Vectors of another model version are not compared.
    const otherModel = image('y', { contentSha256: sha('e'), perceptualHash: '0123a9876a5bcdef', vector: unit(1, 0.05), modelVersion: '2.0.0' });
    expect(classify(state, otherModel, thresholds).status).toBe('UNIQUE');
  });

  it('gives a re-sent id with the same content the decision it got before, never a duplicate of itself', () => {
    const state = new DedupeState();
    state.put(canonical(image('orig')));
    expect(classify(state, image('orig'), thresholds)).toEqual({ status: 'UNIQUE', duplicateOf: null, similarity: null, repeated: true });
    state.put({ ...image('copy'), vector: null, status: 'EXACT_DUPLICATE', duplicateOf: 'orig', similarity: 1 });
    expect(classify(state, image('copy'), thresholds)).toEqual({ status: 'EXACT_DUPLICATE', duplicateOf: 'orig', similarity: 1, repeated: true });
  });

  it('re-classifies a re-sent id whose content changed, ignoring its own old entry', () => {
    const state = new DedupeState();
    state.put(canonical(image('orig')));
    expect(classify(state, image('orig', { contentSha256: sha('f'), perceptualHash: 'fedcba9876543210', vector: unit(5) }), thresholds).status).toBe('UNIQUE');
  });

  it('after a tombstone removes the canonical, a later copy is UNIQUE again', () => {
    const state = new DedupeState();
    state.put(canonical(image('orig')));
    state.put({ ...image('copy'), vector: null, status: 'EXACT_DUPLICATE', duplicateOf: 'orig', similarity: 1 });
    expect(state.remove('orig')).toBe(true);
    expect(state.get('orig')).toBeUndefined();
    expect(classify(state, image('later'), thresholds).status).toBe('UNIQUE');
    // The duplicate whose canonical is gone is re-classified when re-sent.
    expect(classify(state, image('copy'), thresholds)).toMatchObject({ status: 'UNIQUE', repeated: false });
  });

  it('matches only canonical images, picking the most similar', () => {
    const state = new DedupeState();
    state.put(canonical(image('b-orig', { contentSha256: sha('1'), vector: unit(1, 0.2) })));
    state.put(canonical(image('a-orig', { contentSha256: sha('2'), vector: unit(1, 0.01) })));
    state.put({ ...image('dup', { contentSha256: sha('3') }), vector: null, status: 'NEAR_DUPLICATE', duplicateOf: 'a-orig', similarity: 0.99 });
    const d = classify(state, image('new', { contentSha256: sha('4'), vector: unit(1) }), thresholds);
    expect(d).toMatchObject({ status: 'NEAR_DUPLICATE', duplicateOf: 'a-orig' });
  });
});

describe('classify: tiered rule, crop hashes, vector candidates', () => {
  const tiered: DedupeThresholds = { rule: 'tiered', maxHammingDistance: 8, minCosineWithPhash: 0.8, minCosine: 0.97 };

  it('needs both a close pHash and a moderate cosine for the hash tier, or a high cosine alone', () => {
    const state = new DedupeState({ vectorCandidates: 5 });
    state.put(canonical(image('orig')));
    // Same backdrop, different garment: identical pHash, unrelated vector.
    expect(classify(state, image('other', { contentSha256: sha('b'), vector: unit(50) }), tiered).status).toBe('UNIQUE');
    // Close pHash (4 bits) and cosine ≈ 0.89.
    const near = classify(state, image('near', { contentSha256: sha('c'), perceptualHash: '0123456789abcde0', vector: unit(1, 0.5) }), tiered);
    expect(near).toMatchObject({ status: 'NEAR_DUPLICATE', duplicateOf: 'orig' });
    // No band in common, found by the vector lookup, cosine past 0.97.
    const byVector = classify(state, image('vec', { contentSha256: sha('d'), perceptualHash: 'fedcba9876543210', vector: unit(1, 0.05) }), tiered);
    expect(byVector).toMatchObject({ status: 'NEAR_DUPLICATE', duplicateOf: 'orig' });
    expect(byVector.similarity).toBeGreaterThan(0.99);
    // Without the vector lookup the same image is not even a candidate.
    const bandsOnly = new DedupeState();
    bandsOnly.put(canonical(image('orig')));
    expect(classify(bandsOnly, image('vec', { contentSha256: sha('d'), perceptualHash: 'fedcba9876543210', vector: unit(1, 0.05) }), tiered).status).toBe('UNIQUE');
  });

  it('matches a cropped copy through the centre-crop hashes, in both directions', () => {
    const state = new DedupeState({ vectorCandidates: 5 });
    state.put(canonical(image('orig', { cropHashes: ['fedcba9876543210', '0f0f0f0f0f0f0f0f'] })));
    // The copy's full frame hashes like the original's 90 % crop (3 bits away); full frames are 40+ bits apart.
    const crop = image('crop', { contentSha256: sha('e'), perceptualHash: 'fedcba9876543217', vector: unit(1, 0.6) });
    expect(hashDistance(parsePerceptualHash(crop.perceptualHash), [], parsePerceptualHash('0123456789abcdef'), [])).toBeGreaterThan(20);
    expect(classify(state, crop, tiered)).toMatchObject({ status: 'NEAR_DUPLICATE', duplicateOf: 'orig' });
    // The image is the uncropped one: its crop hashes like the canonical's full frame.
    const larger = new DedupeState();
    larger.put(canonical(image('small', { perceptualHash: 'fedcba9876543210' })));
    const big = image('big', { contentSha256: sha('f'), perceptualHash: '0123456789abcdef', cropHashes: ['fedcba9876543211'], vector: unit(1, 0.6) });
    expect(classify(larger, big, tiered)).toMatchObject({ status: 'NEAR_DUPLICATE', duplicateOf: 'small' });
    // Same copy with an unrelated vector: the hash tier alone is not enough.
    expect(classify(state, { ...crop, vector: unit(50) }, tiered).status).toBe('UNIQUE');
  });

  it('computes the crop-aware distance as the smallest full/full, full/crop and crop/full distance', () => {
    const p = parsePerceptualHash;
    expect(hashDistance(p('0000000000000000'), [], p('000000000000000f'), [])).toBe(4);
    expect(hashDistance(p('0000000000000000'), [], p('ffffffffffffffff'), [p('0000000000000001')])).toBe(1);
    expect(hashDistance(p('ffffffffffffffff'), [p('0000000000000003')], p('0000000000000000'), [])).toBe(2);
    expect(hashDistance(p('ffffffffffffffff'), [p('1111111111111111')], p('0000000000000000'), [p('1111111111111111')])).toBe(16);
  });
});

describe('classify: tiered rule with fine hashes', () => {
  const tiered: DedupeThresholds = { rule: 'tiered', maxHammingDistance: 2, maxFineDistance: 20, minCosineWithPhash: 0.5, minCosine: 0.98 };
  const fine = (digit: string, flips = 0): string => '1'.repeat(flips) + digit.repeat(64 - flips);

  it('tells a backdrop twin (same 64-bit pHash, far fine hash) from a copy (close fine hash)', () => {
    const state = new DedupeState({ vectorCandidates: 5 });
    state.put(canonical(image('orig', { fineHashes: [fine('0')] })));
    // Identical 64-bit pHash, cosine ≈ 0.89, but 256 fine bits apart: a different garment on the same cloth.
    expect(classify(state, image('twin', { contentSha256: sha('b'), fineHashes: [fine('f')], vector: unit(1, 0.5) }), tiered).status).toBe('UNIQUE');
    // Same cosine, 5 fine bits apart (5 leading '1' digits): a copy.
    const copy = classify(state, image('copy', { contentSha256: sha('c'), fineHashes: [fine('0', 5)], vector: unit(1, 0.5) }), tiered);
    expect(copy).toMatchObject({ status: 'NEAR_DUPLICATE', duplicateOf: 'orig' });
    expect(copy.similarity).toBeCloseTo(1 / Math.sqrt(1.25), 1);
    // Close fine hash but unrelated embedding: not a copy.
    expect(classify(state, image('odd', { contentSha256: sha('d'), fineHashes: [fine('0', 5)], vector: unit(50) }), tiered).status).toBe('UNIQUE');
  });

  it('falls back to the 64-bit distance for images without fine hashes', () => {
    const state = new DedupeState();
    state.put(canonical(image('orig')));
    expect(classify(state, image('copy', { contentSha256: sha('c'), perceptualHash: '0123456789abcdee', vector: unit(1, 0.5) }), tiered).status).toBe('NEAR_DUPLICATE');
    expect(classify(state, image('far', { contentSha256: sha('c'), perceptualHash: '0123456789abc000', vector: unit(1, 0.5) }), tiered).status).toBe('UNIQUE');
  });
});
