import { CompatibilityLevel } from './compatibility-level';
import type { RegistryRecord } from '../store/registry-record';

export interface StoredSchema {
  readonly id: number;
  readonly schemaType: 'AVRO';
  /** Canonical schema text (see canonicalAvroSchema). */
  readonly schema: string;
}

export interface SubjectVersion {
  readonly subject: string;
  readonly version: number;
  readonly id: number;
  readonly deleted: boolean;
}

/**
 * The registry's state as a pure fold over the schemas log. Only the log tail
 * calls `apply`; everything else reads.
 */
export class RegistryState {
  private readonly schemasById = new Map<number, StoredSchema>();
  private readonly idByCanonical = new Map<string, number>();
  private readonly subjects = new Map<string, Map<number, SubjectVersion>>();
  private readonly subjectLevels = new Map<string, CompatibilityLevel>();
  private globalLevel: CompatibilityLevel | undefined;
  private highestId = 0;

  apply(record: RegistryRecord): void {
    switch (record.kind) {
      case 'SCHEMA_ID': {
        this.schemasById.set(record.id, { id: record.id, schemaType: record.schemaType, schema: record.schema });
        const known = this.idByCanonical.get(record.schema);
        if (known === undefined || record.id < known) this.idByCanonical.set(record.schema, record.id);
        this.highestId = Math.max(this.highestId, record.id);
        return;
      }
      case 'SUBJECT_VERSION': {
        const versions = this.subjects.get(record.subject) ?? new Map<number, SubjectVersion>();
        versions.set(record.version, { subject: record.subject, version: record.version, id: record.id, deleted: record.deleted });
        this.subjects.set(record.subject, versions);
        return;
      }
      case 'SUBJECT_VERSION_PURGED': {
        const versions = this.subjects.get(record.subject);
        versions?.delete(record.version);
        if (versions?.size === 0) this.subjects.delete(record.subject);
        return;
      }
      case 'CONFIG':
        if (record.subject === null) this.globalLevel = record.compatibilityLevel;
        else this.subjectLevels.set(record.subject, record.compatibilityLevel);
        return;
      case 'CONFIG_CLEARED':
        this.subjectLevels.delete(record.subject);
        return;
    }
  }

  schemaById(id: number): StoredSchema | undefined {
    return this.schemasById.get(id);
  }

  idOf(canonical: string): number | undefined {
    return this.idByCanonical.get(canonical);
  }

  nextId(): number {
    return this.highestId + 1;
  }

  /** Versions of a subject, ascending; soft-deleted ones only when asked. */
  versions(subject: string, includeDeleted = false): SubjectVersion[] {
    const versions = [...(this.subjects.get(subject)?.values() ?? [])];
    return versions.filter((v) => includeDeleted || !v.deleted).sort((a, b) => a.version - b.version);
  }

  /** Highest version number ever used by the subject and still in the log (soft-deleted included). */
  highestVersion(subject: string): number {
    return this.versions(subject, true).reduce((max, v) => Math.max(max, v.version), 0);
  }

  subjectNames(includeDeleted = false): string[] {
    return [...this.subjects.keys()].filter((s) => this.versions(s, includeDeleted).length > 0).sort();
  }

  /** Every subject version bound to a schema id. */
  usesOf(id: number, includeDeleted = false): SubjectVersion[] {
    const uses: SubjectVersion[] = [];
    for (const subject of [...this.subjects.keys()].sort()) {
      for (const v of this.versions(subject, includeDeleted)) if (v.id === id) uses.push(v);
    }
    return uses;
  }

  subjectLevel(subject: string): CompatibilityLevel | undefined {
    return this.subjectLevels.get(subject);
  }

  globalLevelOrUndefined(): CompatibilityLevel | undefined {
    return this.globalLevel;
  }

  counts(): { schemas: number; subjects: number } {
    return { schemas: this.schemasById.size, subjects: this.subjectNames().length };
  }
}
