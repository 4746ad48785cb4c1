import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { InvalidInputError } from '@stylestream/errors';
import { catalogFilterSchema } from '@stylestream/catalog';
import type { VectorQuery } from './search-query';

const VERSION = 1;
const MAC_BYTES = 16;

const payloadSchema = z.strictObject({
  v: z.literal(VERSION),
  /** The query vector as little-endian float32, base64. */
  vec: z.string().min(1),
  k: z.number().int().positive(),
  ef: z.number().int().positive().optional(),
  mv: z.string().optional(),
  f: z.unknown(),
  x: z.array(z.string()),
  o: z.number().int().nonnegative(),
  a: z.tuple([z.number(), z.string()]),
});

/**
 * Opaque cursors for paging beyond one page: the whole query (vector, k, ef,
 * model version, filter, excluded ids), the number of hits already returned
 * and the rank boundary (score and id of the last hit returned), as base64url
 * JSON with an HMAC so a client can neither forge nor edit one. The next page
 * skips everything ranked at or before the boundary, so a hit never appears
 * twice even when owners' answers differ between pages. Cursors verify only
 * under the same secret: set SEARCH_CURSOR_SECRET alike on every replica.
 */
export class SearchCursorCodec {
  private readonly key: Buffer;

  constructor(secret?: string) {
    this.key = secret === undefined || secret === '' ? randomBytes(32) : Buffer.from(secret, 'utf8');
  }

  encode(query: VectorQuery, returned: number, last: { score: number; id: string }): string {
    const vector = Float32Array.from(query.vector);
    const payload: z.input<typeof payloadSchema> = {
      v: VERSION,
      vec: Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength).toString('base64'),
      k: query.k,
      ...(query.ef === undefined ? {} : { ef: query.ef }),
      ...(query.modelVersion === undefined ? {} : { mv: query.modelVersion }),
      f: query.filter,
      x: [...query.excludeIds],
      o: query.offset + returned,
      a: [last.score, last.id],
    };
    const body = Buffer.from(JSON.stringify(payload), 'utf8');
    return `${body.toString('base64url')}.${this.mac(body).toString('base64url')}`;
  }

  /** The query of the next page; throws InvalidInputError naming `param` for a malformed, forged or foreign cursor. */
  decode(cursor: string, param = 'cursor'): VectorQuery {
    const bad = (why: string): never => {
      throw new InvalidInputError(`"${param}": ${why}`, 'INVALID_CURSOR');
    };
    const [bodyPart, macPart, extra] = cursor.split('.');
    if (bodyPart === undefined || macPart === undefined || extra !== undefined) bad('malformed cursor');
    const body = Buffer.from(bodyPart ?? '', 'base64url');
    const mac = Buffer.from(macPart ?? '', 'base64url');
    if (mac.length !== MAC_BYTES || !timingSafeEqual(mac, this.mac(body))) bad('cursor not issued by this service (or altered)');
    let json: unknown;
    try {
      json = JSON.parse(body.toString('utf8'));
    } catch {
      bad('malformed cursor');
    }
    const parsed = payloadSchema.safeParse(json);
    if (!parsed.success) return bad('malformed cursor');
    const p = parsed.data;
    const raw = Buffer.from(p.vec, 'base64');
    if (raw.length % 4 !== 0) bad('malformed cursor');
    const vector = Array.from(new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.length)));
    const filter = catalogFilterSchema.safeParse(p.f);
    if (!filter.success) return bad('malformed cursor');
    return {
      vector,
      k: p.k,
      ...(p.ef === undefined ? {} : { ef: p.ef }),
      ...(p.mv === undefined ? {} : { modelVersion: p.mv }),
      filter: filter.data,
      excludeIds: p.x,
      offset: p.o,
      after: { score: p.a[0], id: p.a[1] },
    };
  }

  private mac(body: Buffer): Buffer {
    return createHmac('sha256', this.key).update(body).digest().subarray(0, MAC_BYTES);
  }
}
