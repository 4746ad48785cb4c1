import { InvalidInputError } from '@stylestream/errors';

/**
 * The `perceptualHash` field of vector-extracted: a 64-bit hash written as 16
 * lower-case hex digits, held as two unsigned 32-bit halves (hi = first 8 digits).
 */
export interface PerceptualHash {
  readonly hi: number;
  readonly lo: number;
}

/** Bits per perceptual hash. */
export const PHASH_BITS = 64;

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
