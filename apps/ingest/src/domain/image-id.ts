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

const HOST_LABEL = String.raw`[A-Za-z_][A-Za-z0-9_]*(?:-[A-Za-z0-9_]+)*`;
const IPV4_OCTET = String.raw`(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])`;
const PORT = String.raw`(?:[0-9]{1,4}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5])`;

/**
 * The syntax of a submitted image URI, published as the OpenAPI `pattern` of
 * `uri`: http(s) with an ASCII host name (labels start with a letter or `_`,
 * no `--`, so no punycode and no numeric last label) or a dotted IPv4 address
 * and an optional port, or `file://`; then anything from the first `/ ? # \`.
 * Every string it matches is accepted by normalizeImageUri, so the published
 * schema and the validation agree in both directions (the API fuzzer checks it).
 */
export const IMAGE_URI_PATTERN = new RegExp(
  String.raw`^(?:[Hh][Tt][Tt][Pp][Ss]?://(?:${HOST_LABEL}(?:\.${HOST_LABEL})*|${IPV4_OCTET}(?:\.${IPV4_OCTET}){3})(?::${PORT})?|[Ff][Ii][Ll][Ee]://)(?:[/?#\\][\s\S]*)?$`,
);

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
