import type * as avro from 'avsc';
import { InvalidInputError } from '@stylestream/errors';
import type { TopicContract } from '../contracts/topic-contract';
import { libraryRegistryClient, type RegistryConnectionOptions } from './library-registry-client';
import type { RegistryClientPort } from './registry-client.port';
import { mapRegistryError } from './registry-errors';
import { encodeWire, parseWire } from './wire-format';

/** A decoded value and the id of the schema it was written with. */
export interface DecodedValue<T> {
  value: T;
  schemaId: number;
}

/**
 * Encodes and decodes topic values in the Confluent wire format against a
 * schema registry. Errors (all from @stylestream/errors):
 * - InvalidInputError `WIRE_FORMAT_INVALID`: not a Buffer, shorter than 5 bytes, magic byte ≠ 0;
 * - InvalidInputError `SCHEMA_UNKNOWN`: the schema id is not in the registry (404);
 * - InvalidInputError `SCHEMA_VIOLATION`: a value to encode does not match its schema
 *   (the message names every failing field path), or a body does not decode;
 * - InvalidInputError `SCHEMA_INCOMPATIBLE`: the writer schema cannot be read with the
 *   reader contract, or registration was refused as incompatible (409);
 * - DependencyUnavailableError (retriable): registry unreachable, 5xx, timeout.
 * Schema ids, writer schemas and resolvers are cached for the gateway's lifetime
 * (ids are immutable in a registry), so steady-state encode/decode do no I/O.
 */
export class SchemaRegistryGateway {
  private readonly ids = new Map<string, Promise<number>>();
  private readonly writers = new Map<number, Promise<avro.Type>>();
  private readonly resolvers = new WeakMap<avro.Type, Map<number, avro.Resolver | null>>();
  private readonly fingerprints = new WeakMap<avro.Type, string>();

  constructor(private readonly client: RegistryClientPort) {}

  /** A gateway over @kafkajs/confluent-schema-registry at `options.url`. */
  static connect(options: RegistryConnectionOptions): SchemaRegistryGateway {
    return new SchemaRegistryGateway(libraryRegistryClient(options));
  }

  /** Registers the contract's schema under its subject (once per gateway) and resolves the schema id. */
  register(contract: TopicContract<unknown>): Promise<number> {
    let fingerprint = this.fingerprints.get(contract.type);
    if (fingerprint === undefined) {
      fingerprint = contract.type.fingerprint('sha256').toString('hex');
      this.fingerprints.set(contract.type, fingerprint);
    }
    const key = `${contract.subject}\u0000${fingerprint}`;
    let id = this.ids.get(key);
    if (id === undefined) {
      id = this.client.register(contract.subject, JSON.stringify(contract.schema)).catch((err: unknown) => {
        this.ids.delete(key);
        throw mapRegistryError(err, `registering ${contract.subject}`, 'SUBJECT_UNKNOWN');
      });
      this.ids.set(key, id);
    }
    return id;
  }

  /** Validates `value` against the contract, registers the schema if needed, and returns the framed bytes. */
  async encode<T>(contract: TopicContract<T>, value: T): Promise<Buffer> {
    if (!contract.type.isValid(value)) {
      throw new InvalidInputError(`value does not match ${contract.name} schema: ${contract.violations(value).join('; ')}`, 'SCHEMA_VIOLATION');
    }
    const schemaId = await this.register(contract);
    return encodeWire(schemaId, contract.type.toBuffer(value));
  }

  /**
   * Decodes a framed value. With a reader contract the value is resolved from
   * the writer schema into the contract's schema (new fields take their
   * defaults); without one it is returned in the writer's shape.
   * A tombstone (null) is not a value: check for it before calling.
   */
  async decode<T>(buffer: Buffer, reader: TopicContract<T>): Promise<DecodedValue<T>>;
  async decode(buffer: Buffer): Promise<DecodedValue<unknown>>;
  async decode<T>(buffer: Buffer, reader?: TopicContract<T>): Promise<DecodedValue<unknown>> {
    const { schemaId, body } = parseWire(buffer);
    const writer = await this.writerType(schemaId);
    const readerType = reader?.type ?? writer;
    const resolver = reader === undefined ? null : this.resolverFor(reader, schemaId, writer);
    try {
      const value: unknown = resolver === null ? readerType.fromBuffer(body) : readerType.fromBuffer(body, resolver);
      return { value, schemaId };
    } catch (err) {
      throw new InvalidInputError(`body of ${body.length} bytes does not decode with schema id ${schemaId}: ${(err as Error).message}`, 'SCHEMA_VIOLATION', err);
    }
  }

  private writerType(schemaId: number): Promise<avro.Type> {
    let writer = this.writers.get(schemaId);
    if (writer === undefined) {
      writer = this.client.getAvroType(schemaId).catch((err: unknown) => {
        this.writers.delete(schemaId);
        throw mapRegistryError(err, `looking up schema id ${schemaId}`, 'SCHEMA_UNKNOWN');
      });
      this.writers.set(schemaId, writer);
    }
    return writer;
  }

  private resolverFor(reader: TopicContract<unknown>, schemaId: number, writer: avro.Type): avro.Resolver | null {
    let perWriter = this.resolvers.get(reader.type);
    if (perWriter === undefined) {
      perWriter = new Map();
      this.resolvers.set(reader.type, perWriter);
    }
    let resolver = perWriter.get(schemaId);
    if (resolver === undefined) {
      try {
        resolver = writer.equals(reader.type) ? null : reader.type.createResolver(writer);
      } catch (err) {
        throw new InvalidInputError(
          `schema id ${schemaId} (${writer.name ?? writer.typeName}) cannot be read as ${reader.name}: ${(err as Error).message}`,
          'SCHEMA_INCOMPATIBLE',
          err,
        );
      }
      perWriter.set(schemaId, resolver);
    }
    return resolver;
  }
}
