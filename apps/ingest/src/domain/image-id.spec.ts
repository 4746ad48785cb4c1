import { IMAGE_ID_PATTERN, deriveImageId, normalizeImageUri } from './image-id';

describe('deriveImageId', () => {
  it('is deterministic and URL-path safe', () => {
    const id = deriveImageId('ecommerce', 'file:///data/train/dress/a.jpg');
    expect(id).toBe(deriveImageId('ecommerce', 'file:///data/train/dress/a.jpg'));
    expect(id).toMatch(/^img-[0-9a-f]{32}$/);
    expect(IMAGE_ID_PATTERN.test(id)).toBe(true);
  });

  it('differs by source and by uri', () => {
    const base = deriveImageId('social', 'https://cdn.example.com/a.jpg');
    expect(deriveImageId('street', 'https://cdn.example.com/a.jpg')).not.toBe(base);
    expect(deriveImageId('social', 'https://cdn.example.com/b.jpg')).not.toBe(base);
  });
});

describe('normalizeImageUri', () => {
  it('normalises scheme, host, default port and fragment so equal addresses give equal ids', () => {
    expect(normalizeImageUri('HTTPS://CDN.Example.com:443/a%20b.jpg#x')).toBe('https://cdn.example.com/a%20b.jpg');
    expect(normalizeImageUri('file:///tmp/a b.jpg')).toBe('file:///tmp/a%20b.jpg');
  });

  it('rejects relative, hostless http and non-http(s)/file URLs', () => {
    expect(normalizeImageUri('images/a.jpg')).toBeUndefined();
    expect(normalizeImageUri('ftp://example.com/a.jpg')).toBeUndefined();
    expect(normalizeImageUri('data:image/png;base64,AAAA')).toBeUndefined();
  });
});
