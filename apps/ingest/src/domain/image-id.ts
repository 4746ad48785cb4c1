import { createHash } from 'node:crypto';

/** Ids a client may supply itself: short, URL-path safe, no whitespace. */
export const IMAGE_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

/**
 * The deterministic image id: `img-` + the first 32 hex digits (128 bits) of
 * SHA-256 over a version tag, the source and the normalised URI. The same
 * image at the same address always gets the same id, so replaying a folder or
 * a JSONL file produces the same keys and lands on the same partitions.
 * Content is deliberately not part of the id: the same photo at two addresses
 * is two arrivals, and telling them apart is the dedupe stage's job.
 */
export function deriveImageId(source: string, normalizedUri: string): string {
  const digest = createHash('sha256').update(`image-id/v1\u0000${source}\u0000${normalizedUri}`).digest('hex');
  return `img-${digest.slice(0, 32)}`;
}

/**
 * Normalises an http(s) or file URI the way WHATWG URL does (lowercase scheme
 * and host, default port dropped, path percent-encoded) and drops the
 * fragment, which never changes the fetched resource. Returns undefined for
 * anything that is not an absolute http, https or file URL.
 */
export function normalizeImageUri(raw: string): string | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:' && url.protocol !== 'file:') return undefined;
  if (url.protocol !== 'file:' && url.hostname === '') return undefined;
  url.hash = '';
  return url.href;
}
