import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as avro from 'avsc';
import { InvalidInputError } from '@stylestream/errors';

/** A parsed Avro schema document (the JSON of a .avsc file). */
export type AvroSchemaJson = avro.Schema & { name?: string; namespace?: string; doc?: string };

/** Reads and parses one .avsc file; the error names the file and what is wrong with it. */
export function readAvscFile(path: string): { schema: AvroSchemaJson; type: avro.Type } {
  let schema: AvroSchemaJson;
  try {
    schema = JSON.parse(readFileSync(path, 'utf8')) as AvroSchemaJson;
  } catch (err) {
    throw new InvalidInputError(`cannot read Avro schema ${path}: ${(err as Error).message}`, 'SCHEMA_INVALID', err);
  }
  return { schema, type: parseAvroSchema(schema, path) };
}

/** avsc Type of a schema document; `what` names it in the error. */
export function parseAvroSchema(schema: avro.Schema, what = 'schema'): avro.Type {
  try {
    return avro.Type.forSchema(schema);
  } catch (err) {
    throw new InvalidInputError(`invalid Avro schema ${what}: ${(err as Error).message}`, 'SCHEMA_INVALID', err);
  }
}

/** Path of `<name>.avsc` in `dir`. */
export function avscPath(dir: string, name: string): string {
  return join(dir, `${name}.avsc`);
}
