import * as avro from 'avsc';
import { registryErrors } from './registry-errors';

/** A validated Avro schema: its canonical text (the identity) and its avsc type. */
export interface ParsedAvroSchema {
  readonly canonical: string;
  readonly type: avro.Type;
}

const PRIMITIVES = new Set(['null', 'boolean', 'int', 'long', 'float', 'double', 'bytes', 'string']);
const NAMED = new Set(['record', 'error', 'enum', 'fixed']);

/**
 * Parses and validates an Avro schema text, returning its canonical form.
 * Throws RegistryError 42201 for text that is not JSON or not a valid Avro schema.
 */
export function parseAvroSchema(text: unknown): ParsedAvroSchema {
  if (typeof text !== 'string' || text.trim() === '') throw registryErrors.invalidSchema('empty schema');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw registryErrors.invalidSchema(`not JSON (${(err as Error).message})`, err);
  }
  let type: avro.Type;
  try {
    type = avro.Type.forSchema(json as avro.Schema, { wrapUnions: true });
  } catch (err) {
    throw registryErrors.invalidSchema((err as Error).message, err);
  }
  return { canonical: canonicalAvroSchema(json), type };
}

/**
 * The registry's identity form of a schema, close to what Avro Java's
 * `Schema.toString()` yields (Confluent's default identity): no insignificant
 * whitespace, attributes in a fixed order, names fully qualified (no
 * `namespace` attribute), `{"type":"int"}` written as `"int"`, the default
 * field order `ascending` omitted. Unlike Parsing Canonical Form it keeps
 * everything that changes meaning or documentation: `doc`, `default`,
 * `aliases`, `logicalType` and custom attributes (sorted by key), so two
 * schemas that differ in a default get different ids.
 */
export function canonicalAvroSchema(json: unknown): string {
  return JSON.stringify(normalise(json, undefined));
}

function fullName(name: string, namespace: string | undefined): string {
  if (name.includes('.') || namespace === undefined || namespace === '') return name;
  return `${namespace}.${name}`;
}

function namespaceOf(full: string): string | undefined {
  const dot = full.lastIndexOf('.');
  return dot < 0 ? undefined : full.slice(0, dot);
}

function normalise(schema: unknown, namespace: string | undefined): unknown {
  if (typeof schema === 'string') return PRIMITIVES.has(schema) ? schema : fullName(schema, namespace);
  if (Array.isArray(schema)) return schema.map((branch) => normalise(branch, namespace));
  if (typeof schema !== 'object' || schema === null) return schema;
  const obj = schema as Record<string, unknown>;
  const type = obj.type;
  if (typeof type !== 'string') {
    // {"type": {...}} or {"type": [...]}: the inner schema is the schema.
    return normalise(type, namespace);
  }
  if (NAMED.has(type)) return normaliseNamed(obj, type, namespace);
  const out: Record<string, unknown> = { type: PRIMITIVES.has(type) || type === 'array' || type === 'map' ? type : fullName(type, namespace) };
  if (type === 'array') out.items = normalise(obj.items, namespace);
  if (type === 'map') out.values = normalise(obj.values, namespace);
  const extras = extraAttributes(obj, ['type', 'items', 'values']);
  if (Object.keys(extras).length === 0 && type !== 'array' && type !== 'map') return out.type;
  return { ...out, ...extras };
}

function normaliseNamed(obj: Record<string, unknown>, type: string, enclosing: string | undefined): unknown {
  const ownNamespace = typeof obj.namespace === 'string' ? obj.namespace : enclosing;
  const name = fullName(String(obj.name), ownNamespace);
  const inner = namespaceOf(name);
  const out: Record<string, unknown> = { type, name };
  if (obj.doc !== undefined) out.doc = obj.doc;
  switch (type) {
    case 'record':
    case 'error':
      out.fields = Array.isArray(obj.fields) ? obj.fields.map((field) => normaliseField(field, inner)) : obj.fields;
      break;
    case 'enum':
      out.symbols = obj.symbols;
      if (obj.default !== undefined) out.default = obj.default;
      break;
    case 'fixed':
      out.size = obj.size;
      break;
  }
  if (Array.isArray(obj.aliases)) out.aliases = obj.aliases.map((alias) => fullName(String(alias), inner));
  return { ...out, ...extraAttributes(obj, ['type', 'name', 'namespace', 'doc', 'fields', 'symbols', 'default', 'size', 'aliases']) };
}

function normaliseField(field: unknown, namespace: string | undefined): unknown {
  if (typeof field !== 'object' || field === null) return field;
  const f = field as Record<string, unknown>;
  const out: Record<string, unknown> = { name: f.name };
  if (f.doc !== undefined) out.doc = f.doc;
  out.type = normalise(f.type, namespace);
  if (f.default !== undefined) out.default = sortKeys(f.default);
  if (f.order !== undefined && f.order !== 'ascending') out.order = f.order;
  if (f.aliases !== undefined) out.aliases = f.aliases;
  return { ...out, ...extraAttributes(f, ['name', 'doc', 'type', 'default', 'order', 'aliases']) };
}

function extraAttributes(obj: Record<string, unknown>, known: readonly string[]): Record<string, unknown> {
  const extras: Record<string, unknown> = {};
  for (const key of Object.keys(obj).sort()) {
    if (!known.includes(key)) extras[key] = sortKeys(obj[key]);
  }
  return extras;
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) out[key] = sortKeys((value as Record<string, unknown>)[key]);
  return out;
}
