import type * as avro from 'avsc';
import { valueSubjectOf } from '../topics';
import { avroSchemasDir } from './repo-root';
import { avscPath, readAvscFile, type AvroSchemaJson } from './avsc-file';

/** Names of the contracts; each is also the file name `schemas/avro/<name>.avsc`. */
export type ContractName = 'image-arrived' | 'vector-extracted' | 'vector-cleaned' | 'index-updated' | 'dead-letter';

/**
 * The contract of one topic's values: which topic, which registry subject
 * (TopicNameStrategy, `<topic>-value`), which Avro schema, and the TS type `T`
 * a value has. The schema is read from schemas/avro on first use and cached;
 * a missing or invalid file throws InvalidInputError(SCHEMA_INVALID) then.
 */
export interface TopicContract<T> {
  /** Contract name, also the .avsc file name. */
  readonly name: ContractName;
  /** Topic the values travel on (the fixed name unless overridden with onTopic). */
  readonly topic: string;
  /** Registry subject: `<topic>-value`. */
  readonly subject: string;
  /** The parsed .avsc JSON. */
  readonly schema: AvroSchemaJson;
  /** avsc Type of the schema (reader and writer type of this code base). */
  readonly type: avro.Type;
  /** The same contract on another topic (and subject), e.g. a unique test topic. */
  onTopic(topic: string): TopicContract<T>;
  /** True when `value` matches the schema. */
  isValid(value: unknown): value is T;
  /** Dotted paths of the fields of `value` that do not match the schema, each with what was found. */
  violations(value: unknown): string[];
}

const schemaCache = new Map<string, { schema: AvroSchemaJson; type: avro.Type }>();

function loadCached(name: ContractName): { schema: AvroSchemaJson; type: avro.Type } {
  const path = avscPath(avroSchemasDir(), name);
  let entry = schemaCache.get(path);
  if (entry === undefined) {
    entry = readAvscFile(path);
    schemaCache.set(path, entry);
  }
  return entry;
}

function describe(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (value === null) return 'null';
  if (Buffer.isBuffer(value)) return `Buffer(${value.length})`;
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'string') return `string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  if (typeof value === 'number' || typeof value === 'boolean') return `${typeof value} ${String(value)}`;
  return typeof value;
}

/** Lists the invalid field paths of `value` against `type` (avsc isValid with an errorHook). */
export function schemaViolations(type: avro.Type, value: unknown): string[] {
  const found: string[] = [];
  type.isValid(value, {
    errorHook: (path: string[], bad: unknown, badType: avro.Type) => {
      const where = path.length > 0 ? path.join('.') : '(root)';
      found.push(`${where}: expected ${badType.typeName}${badType.name ? ` ${badType.name}` : ''}, got ${describe(bad)}`);
    },
  });
  return found;
}

class FileTopicContract<T> implements TopicContract<T> {
  readonly subject: string;

  constructor(
    readonly name: ContractName,
    readonly topic: string,
  ) {
    this.subject = valueSubjectOf(topic);
  }

  get schema(): AvroSchemaJson {
    return loadCached(this.name).schema;
  }

  get type(): avro.Type {
    return loadCached(this.name).type;
  }

  onTopic(topic: string): TopicContract<T> {
    return new FileTopicContract<T>(this.name, topic);
  }

  isValid(value: unknown): value is T {
    return this.type.isValid(value);
  }

  violations(value: unknown): string[] {
    return schemaViolations(this.type, value);
  }
}

/** A contract whose schema is `schemas/avro/<name>.avsc`, on `topic`. */
export function fileContract<T>(name: ContractName, topic: string): TopicContract<T> {
  return new FileTopicContract<T>(name, topic);
}
