import { InvalidInputError } from '@stylestream/errors';

/** A 64-bit perceptual hash as two unsigned 32-bit halves (hi = first 8 hex digits). */
export interface PerceptualHash {
  readonly hi: number;
  readonly lo: number;
}

/** Bits per perceptual hash and the number of 16-bit bands it is split into for the candidate index. */
export const PHASH_BITS = 64;
export const PHASH_BANDS = 4;

const HEX64 = /^[0-9a-f]{16}$/;

/** Parses the `perceptualHash` field: exactly 16 lower-case hex digits. Throws InvalidInputError otherwise. */
export function parsePerceptualHash(hex: string): PerceptualHash {
  if (!HEX64.test(hex)) throw new InvalidInputError(`perceptualHash must be 16 lower-case hex digits (64 bits), got "${hex.slice(0, 40)}"`, 'PHASH_INVALID');
  return { hi: parseInt(hex.slice(0, 8), 16) >>> 0, lo: parseInt(hex.slice(8), 16) >>> 0 };
}

function popcount32(x: number): number {
  let v = x >>> 0;
  v = v - ((v >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

/** Number of differing bits (0..64). */
export function hammingDistance(a: PerceptualHash, b: PerceptualHash): number {
  return popcount32(a.hi ^ b.hi) + popcount32(a.lo ^ b.lo);
}

/**
 * The four 16-bit bands, most significant first. Two hashes within Hamming
 * distance 3 share at least one band exactly (pigeonhole: 3 differing bits
 * touch at most 3 of the 4 bands).
 */
export function bandsOf(h: PerceptualHash): [number, number, number, number] {
  return [h.hi >>> 16, h.hi & 0xffff, h.lo >>> 16, h.lo & 0xffff];
}
