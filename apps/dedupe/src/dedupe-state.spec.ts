import { DedupeState, type DedupeEntry } from './dedupe-state';
import { hammingDistance, parsePerceptualHash } from '@stylestream/schemas';
import { bandsOf } from './phash-bands';
import { seededRandom } from '@stylestream/test-support';


const hex = (hi: number, lo: number): string => (hi >>> 0).toString(16).padStart(8, '0') + (lo >>> 0).toString(16).padStart(8, '0');

function entry(imageId: string, perceptualHash: string): DedupeEntry {
  return { imageId, contentSha256: imageId.padEnd(64, '0'), perceptualHash, modelVersion: '1', vector: null, status: 'UNIQUE', duplicateOf: null, similarity: null };
}

describe('perceptual hash helpers', () => {
  it('parses 16 hex digits, counts differing bits and splits into four 16-bit bands', () => {
    const a = parsePerceptualHash('ffff0000ffff0000');
    expect(bandsOf(a)).toEqual([0xffff, 0, 0xffff, 0]);
    expect(hammingDistance(a, parsePerceptualHash('0000ffff0000ffff'))).toBe(64);
    expect(hammingDistance(a, parsePerceptualHash('ffff0001ffff0000'))).toBe(1);
    expect(() => parsePerceptualHash('abc')).toThrow(/16 lower-case hex/);
    expect(() => parsePerceptualHash('ABCDEF0123456789')).toThrow(/16 lower-case hex/);
  });
});

describe('DedupeState band index', () => {
  it('returns every canonical within Hamming distance 3 as a candidate (pigeonhole recall), and not removed ones', () => {
    const random = seededRandom(42);
    const state = new DedupeState();
    const originals: string[] = [];
    for (let i = 0; i < 500; i++) {
      const h = hex(Math.floor(random() * 2 ** 32), Math.floor(random() * 2 ** 32));
      originals.push(h);
      state.put(entry(`img-${i}`, h));
    }
    let checked = 0;
    originals.forEach((h, i) => {
      const p = parsePerceptualHash(h);
      // Flip 0..3 random distinct bits.
      const flips = new Set<number>();
      const n = i % 4;
      while (flips.size < n) flips.add(Math.floor(random() * 64));
      let { hi, lo } = p;
      for (const bit of flips) {
        if (bit < 32) hi = (hi ^ (1 << bit)) >>> 0;
        else lo = (lo ^ (1 << (bit - 32))) >>> 0;
      }
      const q = { hi, lo };
      expect(hammingDistance(p, q)).toBe(n);
      expect(state.nearCandidates(q).map((e) => e.imageId)).toContain(`img-${i}`);
      checked++;
    });
    expect(checked).toBe(500);
    state.remove('img-0');
    expect(state.nearCandidates(parsePerceptualHash(originals[0])).map((e) => e.imageId)).not.toContain('img-0');
  });

  it('indexes only canonical (UNIQUE) entries and re-indexes on replace', () => {
    const state = new DedupeState();
    state.put({ ...entry('dup', '0123456789abcdef'), status: 'NEAR_DUPLICATE', duplicateOf: 'x', similarity: 0.9 });
    expect(state.nearCandidates(parsePerceptualHash('0123456789abcdef'))).toEqual([]);
    expect(state.canonicalsWithSha('dup'.padEnd(64, '0'))).toEqual([]);
    state.put(entry('dup', '0123456789abcdef'));
    expect(state.canonicalsWithSha('dup'.padEnd(64, '0'))).toEqual(['dup']);
    state.put(entry('dup', 'fedcba9876543210'));
    expect(state.nearCandidates(parsePerceptualHash('0123456789abcdef'))).toEqual([]);
    expect(state.size).toBe(1);
  });
});

describe('DedupeState crop-hash bands and vector candidates', () => {
  const unitAt = (i: number): Float32Array => {
    const v = new Float32Array(8);
    v[i % 8] = 1;
    return v;
  };

  it('finds a canonical whose centre crop hashes like the image, and an image whose crop hashes like the canonical', () => {
    const state = new DedupeState();
    state.put({ ...entry('orig', '0123456789abcdef'), cropHashes: ['fedcba9876543210', '1111222233334444'] });
    // The copy's full frame is a crop of the original (2 bits from its first crop hash).
    expect(state.nearCandidates({ hash: parsePerceptualHash('fedcba9876543213') }).map((e) => e.imageId)).toEqual(['orig']);
    // The image is larger than the canonical: one of its crops hashes like the canonical's full frame.
    expect(state.nearCandidates({ hash: parsePerceptualHash('aaaaaaaaaaaaaaaa'), crops: [parsePerceptualHash('0123456789abcdee')] }).map((e) => e.imageId)).toEqual(['orig']);
    // Crop vs crop is not a candidate pair.
    expect(state.nearCandidates({ hash: parsePerceptualHash('aaaaaaaaaaaaaaaa'), crops: [parsePerceptualHash('1111222233334444')] })).toEqual([]);
    state.remove('orig');
    expect(state.nearCandidates({ hash: parsePerceptualHash('fedcba9876543210') })).toEqual([]);
    expect(state.cropHashesOf('orig')).toEqual([]);
  });

  it('adds the nearest canonicals by vector when on, only canonical ones, and drops them on removal', () => {
    const state = new DedupeState({ vectorCandidates: 2, vectorIndex: { m: 8, efConstruction: 40, ef: 16 } });
    for (let i = 0; i < 8; i++) state.put({ ...entry(`img-${i}`, hex(0x10000 * (i + 1), 0x10000 * (i + 1))), vector: unitAt(i) });
    state.put({ ...entry('dup', 'ffffffffffffffff'), vector: null, status: 'NEAR_DUPLICATE', duplicateOf: 'img-0', similarity: 0.9 });
    const query = Float32Array.from([0.9, 0.43, 0, 0, 0, 0, 0, 0]);
    const lookup = { hash: parsePerceptualHash('5a5a5a5a5a5a5a5a'), vector: { modelVersion: '1', values: query } };
    expect(state.nearCandidates(lookup).map((e) => e.imageId)).toEqual(['img-0', 'img-1']);
    expect(state.nearCandidates({ ...lookup, vector: { modelVersion: 'other', values: query } })).toEqual([]);
    state.remove('img-0');
    expect(state.nearCandidates(lookup).map((e) => e.imageId)).toEqual(['img-1', expect.stringMatching(/^img-[2-7]$/)]);
    expect(new DedupeState().nearCandidates(lookup)).toEqual([]);
  });
});
