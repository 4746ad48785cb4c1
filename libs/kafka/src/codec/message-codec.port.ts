import type { TopicContract } from '@stylestream/schemas';

/**
 * Encodes and decodes topic values in the Confluent wire format against the
 * schema registry. Implemented by SchemaRegistryGateway (@stylestream/schemas);
 * faked in unit tests.
 * - encode: registers/looks up the contract's subject, returns framed bytes.
 * - decode: reads the schema id from the frame and decodes into the
 *   contract's reader type.
 * Errors: InvalidInputError (WIRE_FORMAT_INVALID, SCHEMA_UNKNOWN,
 * SCHEMA_VIOLATION) for bytes or values that can never succeed;
 * DependencyUnavailableError when the registry cannot be reached.
 */
export interface MessageCodec {
  encode<T>(contract: TopicContract<T>, value: T): Promise<Buffer>;
  decode<T>(buffer: Buffer, reader: TopicContract<T>): Promise<{ value: T; schemaId: number }>;
}
