import { InvalidInputError } from '@stylestream/errors';

/** Bits of a fine hash (vector-extracted `fineHashes`: a 17×16-grid dHash). */
export const FINE_HASH_BITS = 256;

/** A parsed fine hash: eight unsigned 32-bit words, most significant first. */
export type FineHash = Uint32Array;

const HEX256 = /^[0-9a-f]{64}$/;

/** Parses 64 lower-case hex digits. Throws InvalidInputError (PHASH_INVALID) otherwise. */
export function parseFineHash(hex: string): FineHash {
  if (!HEX256.test(hex)) throw new InvalidInputError(`fine hash must be 64 lower-case hex digits (256 bits), got "${hex.slice(0, 70)}"`, 'PHASH_INVALID');
  const words = new Uint32Array(8);
  for (let i = 0; i < 8; i++) words[i] = parseInt(hex.slice(i * 8, i * 8 + 8), 16) >>> 0;
  return words;
}

function popcount32(x: number): number {
  let v = x >>> 0;
  v = v - ((v >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

/** Differing bits of two fine hashes (0..256). */
export function fineHamming(a: FineHash, b: FineHash): number {
  let d = 0;
  for (let i = 0; i < 8; i++) d += popcount32((a[i] ^ b[i]) >>> 0);
  return d;
}

/**
 * Crop-aware fine distance of two images whose fine hashes are [full frame, centre
 * crops...]: the smallest of full vs full, a's full vs each of b's crops, and each of
 * a's crops vs b's full. Undefined when either image has no fine hash.
 */
export function fineDistance(a: readonly FineHash[], b: readonly FineHash[]): number | undefined {
  if (a.length === 0 || b.length === 0) return undefined;
  let d = fineHamming(a[0], b[0]);
  for (let i = 1; i < b.length; i++) d = Math.min(d, fineHamming(a[0], b[i]));
  for (let i = 1; i < a.length; i++) d = Math.min(d, fineHamming(a[i], b[0]));
  return d;
}
