import { fineDistance, fineHamming, parseFineHash } from './fine-hash';

const zero = '0'.repeat(64);
const withBits = (hex: string, at: number, digit: string): string => hex.slice(0, at) + digit + hex.slice(at + 1);

describe('fine hashes', () => {
  it('parses 64 lower-case hex digits into 8 words and rejects anything else', () => {
    expect([...parseFineHash('0123456789abcdef'.repeat(4))]).toEqual([0x01234567, 0x89abcdef, 0x01234567, 0x89abcdef, 0x01234567, 0x89abcdef, 0x01234567, 0x89abcdef]);
    expect(() => parseFineHash('0123456789abcdef')).toThrow(/64 lower-case hex/);
    expect(() => parseFineHash('F'.repeat(64))).toThrow(/64 lower-case hex/);
  });

  it('counts differing bits over 256 bits', () => {
    expect(fineHamming(parseFineHash(zero), parseFineHash('f'.repeat(64)))).toBe(256);
    expect(fineHamming(parseFineHash(zero), parseFineHash(withBits(withBits(zero, 0, '8'), 63, '3')))).toBe(3);
  });

  it('crop-aware distance: full/full, full/crop and crop/full, never crop/crop; undefined without hashes', () => {
    const p = (hex: string) => parseFineHash(hex);
    const full = p(zero);
    const far = p('f'.repeat(64));
    const nearZero = p(withBits(zero, 10, '1'));
    expect(fineDistance([full], [far, nearZero])).toBe(1);
    expect(fineDistance([far, nearZero], [full])).toBe(1);
    expect(fineDistance([far, full], [p('0f'.repeat(32)), full])).toBe(128);
    expect(fineDistance([], [full])).toBeUndefined();
  });
});
