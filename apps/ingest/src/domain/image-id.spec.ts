import { IMAGE_ID_PATTERN, IMAGE_URI_PATTERN, deriveImageId, normalizeImageUri } from './image-id';

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

describe('IMAGE_URI_PATTERN (the published syntax of uri)', () => {
  const matching = [
    'https://cdn.example.com/a.jpg',
    'HTtpS://A_b-c.d_:65535/x y\u0000#\ud800',
    'http://127.0.0.1:8080/img.png',
    'http://a\\b',
    'file:///tmp/a b.jpg',
    'file://',
    'http://x?q',
  ];
  it.each(matching)('%j matches and normalizeImageUri accepts it', (uri) => {
    expect(IMAGE_URI_PATTERN.test(uri)).toBe(true);
    expect(normalizeImageUri(uri)).toBeDefined();
  });

  it.each(['', 'images/a.jpg', 'ftp://a/b', 'http://', 'http://1.2.3.999/x', 'http://xn--a/', 'http://a:65536/', 'http://user@host/x', ' http://a/', 'http://a.b.1/'])(
    '%j does not match',
    (uri) => {
      expect(IMAGE_URI_PATTERN.test(uri)).toBe(false);
    },
  );
});
