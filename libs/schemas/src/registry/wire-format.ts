import { InvalidInputError } from '@stylestream/errors';

/** Confluent wire format: magic byte 0, 4-byte big-endian schema id, then the Avro body. */
export const MAGIC_BYTE = 0;
export const WIRE_HEADER_LENGTH = 5;

/** Prefixes an Avro body with the Confluent header for `schemaId`. */
export function encodeWire(schemaId: number, body: Buffer): Buffer {
  const header = Buffer.alloc(WIRE_HEADER_LENGTH);
  header.writeUInt8(MAGIC_BYTE, 0);
  header.writeInt32BE(schemaId, 1);
  return Buffer.concat([header, body]);
}

/**
 * Splits a Confluent-framed value into schema id and body.
 * Throws InvalidInputError(WIRE_FORMAT_INVALID) for a non-buffer, a value
 * shorter than the header, or a magic byte other than 0.
 */
export function parseWire(value: unknown): { schemaId: number; body: Buffer } {
  if (!Buffer.isBuffer(value)) {
    throw new InvalidInputError(`expected a Buffer in Confluent wire format, got ${value === null ? 'null' : typeof value}`, 'WIRE_FORMAT_INVALID');
  }
  if (value.length < WIRE_HEADER_LENGTH) {
    throw new InvalidInputError(
      `value of ${value.length} bytes is too short for the Confluent wire format (${WIRE_HEADER_LENGTH}-byte header: magic byte 0 + schema id)`,
      'WIRE_FORMAT_INVALID',
    );
  }
  const magic = value.readUInt8(0);
  if (magic !== MAGIC_BYTE) {
    throw new InvalidInputError(
      `value is not in the Confluent Avro wire format: magic byte is 0x${magic.toString(16).padStart(2, '0')}, expected 0x00`,
      'WIRE_FORMAT_INVALID',
    );
  }
  return { schemaId: value.readInt32BE(1), body: value.subarray(WIRE_HEADER_LENGTH) };
}
