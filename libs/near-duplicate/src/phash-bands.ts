import type { PerceptualHash } from '@stylestream/schemas';

/** The number of 16-bit bands a perceptual hash is split into for the candidate index. */
export const PHASH_BANDS = 4;

/**
 * The four 16-bit bands, most significant first. Two hashes within Hamming
 * distance 3 share at least one band exactly (pigeonhole: 3 differing bits
 * touch at most 3 of the 4 bands).
 */
export function bandsOf(h: PerceptualHash): [number, number, number, number] {
  return [h.hi >>> 16, h.hi & 0xffff, h.lo >>> 16, h.lo & 0xffff];
}

/**
 * The bands of a hash as index terms, `<band index>:<4 hex digits>` (e.g. `2:0f3a`):
 * what a catalogue document stores and a candidate lookup asks for, so band i of
 * one hash only ever meets band i of another.
 */
export function bandTerms(h: PerceptualHash): string[] {
  return bandsOf(h).map((band, i) => `${i}:${band.toString(16).padStart(4, '0')}`);
}
