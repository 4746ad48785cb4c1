import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Checks an `x-api-key` header value against the configured keys. Keys are
 * compared as SHA-256 digests in constant time over every key, so timing
 * reveals neither a key nor its length. Returns undefined when admitted, else
 * the reason for a 401.
 */
export class ApiKeyVerifier {
  private readonly digests: Buffer[];

  constructor(keys: readonly string[]) {
    this.digests = keys.map(digest);
  }

  rejection(header: string | string[] | undefined): string | undefined {
    const key = Array.isArray(header) ? header[0] : header;
    if (key === undefined || key === '') return 'missing x-api-key header';
    const candidate = digest(key);
    let known = false;
    for (const d of this.digests) known = timingSafeEqual(d, candidate) || known;
    return known ? undefined : 'unknown API key';
  }
}

function digest(key: string): Buffer {
  return createHash('sha256').update(key, 'utf8').digest();
}
