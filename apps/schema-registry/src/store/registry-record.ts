import { CompatibilityLevel, isCompatibilityLevel } from '../domain/compatibility-level';

/**
 * One entry of the schemas log. Each kind has its own compaction key, so
 * compaction keeps exactly the latest fact per key:
 * - SCHEMA_ID (key: id) binds a global id to a canonical schema. Never
 *   tombstoned, so ids survive compaction and are never reused.
 * - SUBJECT_VERSION (key: subject + version) binds a version to an id, with a
 *   soft-delete flag; a hard delete writes its tombstone (`purged`).
 * - CONFIG (key: subject, or none for the global level); `cleared` is a tombstone.
 */
export type RegistryRecord =
  | { readonly kind: 'SCHEMA_ID'; readonly id: number; readonly schemaType: 'AVRO'; readonly schema: string }
  | {
      readonly kind: 'SUBJECT_VERSION';
      readonly subject: string;
      readonly version: number;
      readonly id: number;
      readonly deleted: boolean;
    }
  | { readonly kind: 'SUBJECT_VERSION_PURGED'; readonly subject: string; readonly version: number }
  | { readonly kind: 'CONFIG'; readonly subject: string | null; readonly compatibilityLevel: CompatibilityLevel }
  | { readonly kind: 'CONFIG_CLEARED'; readonly subject: string };

/** The key/value pair a record travels as; `value` null is a tombstone. */
export interface EncodedRecord {
  readonly key: string;
  readonly value: string | null;
}

const FORMAT = 1;

export function encodeRecord(record: RegistryRecord): EncodedRecord {
  switch (record.kind) {
    case 'SCHEMA_ID':
      return {
        key: JSON.stringify({ keytype: 'SCHEMA_ID', format: FORMAT, id: record.id }),
        value: JSON.stringify({ id: record.id, schemaType: record.schemaType, schema: record.schema }),
      };
    case 'SUBJECT_VERSION':
      return {
        key: versionKey(record.subject, record.version),
        value: JSON.stringify({ subject: record.subject, version: record.version, id: record.id, deleted: record.deleted }),
      };
    case 'SUBJECT_VERSION_PURGED':
      return { key: versionKey(record.subject, record.version), value: null };
    case 'CONFIG':
      return {
        key: configKey(record.subject),
        value: JSON.stringify({ compatibilityLevel: record.compatibilityLevel }),
      };
    case 'CONFIG_CLEARED':
      return { key: configKey(record.subject), value: null };
  }
}

function versionKey(subject: string, version: number): string {
  return JSON.stringify({ keytype: 'SUBJECT_VERSION', format: FORMAT, subject, version });
}

function configKey(subject: string | null): string {
  return JSON.stringify({ keytype: 'CONFIG', format: FORMAT, subject });
}

/**
 * Decodes a log entry. Returns undefined for a key this version does not know
 * (written by a newer registry) and throws for a malformed entry; the caller
 * logs both and goes on, so one bad record never stops the registry.
 */
export function decodeRecord(key: string, value: string | null): RegistryRecord | undefined {
  const k = JSON.parse(key) as Record<string, unknown>;
  const v = value === null ? null : (JSON.parse(value) as Record<string, unknown>);
  switch (k.keytype) {
    case 'SCHEMA_ID': {
      if (v === null) return undefined;
      return { kind: 'SCHEMA_ID', id: positiveInt(v.id, 'id'), schemaType: 'AVRO', schema: text(v.schema, 'schema') };
    }
    case 'SUBJECT_VERSION': {
      const subject = text(k.subject, 'subject');
      const version = positiveInt(k.version, 'version');
      if (v === null) return { kind: 'SUBJECT_VERSION_PURGED', subject, version };
      return { kind: 'SUBJECT_VERSION', subject, version, id: positiveInt(v.id, 'id'), deleted: v.deleted === true };
    }
    case 'CONFIG': {
      const subject = k.subject === null || k.subject === undefined ? null : text(k.subject, 'subject');
      if (v === null) return subject === null ? undefined : { kind: 'CONFIG_CLEARED', subject };
      if (!isCompatibilityLevel(v.compatibilityLevel)) throw new Error(`bad compatibilityLevel ${String(v.compatibilityLevel)}`);
      return { kind: 'CONFIG', subject, compatibilityLevel: v.compatibilityLevel };
    }
    default:
      return undefined;
  }
}

function positiveInt(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) throw new Error(`bad ${name} ${String(value)}`);
  return value;
}

function text(value: unknown, name: string): string {
  if (typeof value !== 'string') throw new Error(`bad ${name} ${String(value)}`);
  return value;
}
