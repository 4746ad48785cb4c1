import { InvalidInputError } from '@stylestream/errors';
import { encodeWire, parseWire } from './wire-format';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return err instanceof InvalidInputError ? err.code : 'other';
  }
  return undefined;
}

describe('Confluent wire format', () => {
  it('frames a body with magic byte 0 and a big-endian schema id', () => {
    const framed = encodeWire(258, Buffer.from([7, 8]));
    expect(framed).toEqual(Buffer.from([0, 0, 0, 1, 2, 7, 8]));
    const { schemaId, body } = parseWire(framed);
    expect(schemaId).toBe(258);
    expect(body).toEqual(Buffer.from([7, 8]));
  });

  it('rejects non-Avro bytes with WIRE_FORMAT_INVALID', () => {
    expect(codeOf(() => parseWire(Buffer.from('{"json":true}')))).toBe('WIRE_FORMAT_INVALID');
    expect(codeOf(() => parseWire(Buffer.from([1, 0, 0, 0, 1, 0])))).toBe('WIRE_FORMAT_INVALID');
    expect(codeOf(() => parseWire(Buffer.from([0, 0, 0])))).toBe('WIRE_FORMAT_INVALID');
    expect(codeOf(() => parseWire(null))).toBe('WIRE_FORMAT_INVALID');
    expect(() => parseWire(Buffer.from([0x7b, 0, 0, 0, 1]))).toThrow(/magic byte is 0x7b, expected 0x00/);
  });
});
