import { CompatibilityLevel, DEFAULT_COMPATIBILITY_LEVEL, isCompatibilityLevel } from './compatibility-level';
import { compatibilityProblems, PreviousVersion } from './avro-compatibility';
import { ParsedAvroSchema, parseAvroSchema } from './avro-schema';
import { registryErrors } from './registry-errors';
import { RegistryState, SubjectVersion } from './registry-state';
import { WriteQueue } from './write-queue';
import type { RegistryRecord } from '../store/registry-record';
import type { SchemaLog } from '../store/schema-log';

/** A schema as a client sends it (request body of register, lookup and compatibility). */
export interface SchemaInput {
  readonly schema?: unknown;
  readonly schemaType?: unknown;
  readonly references?: unknown;
}

export interface VersionView {
  readonly subject: string;
  readonly id: number;
  readonly version: number;
  readonly schema: string;
}

/** A version as addressed in a URL: a number or the latest live one. */
export type VersionSelector = number | 'latest';

export function parseVersion(text: string): VersionSelector {
  if (text === 'latest' || text === '-1') return 'latest';
  if (!/^\d+$/.test(text)) throw registryErrors.invalidVersion(text);
  const version = Number(text);
  if (version < 1 || version > 2 ** 31 - 1) throw registryErrors.invalidVersion(text);
  return version;
}

/**
 * The registry's use cases. Reads answer from the in-memory state; every
 * write runs alone (WriteQueue), first catches up with the log so it decides
 * on everything committed so far, then appends and waits until the tail has
 * applied its records. With one writer per log (enforced by the log adapter)
 * a schema can never be given two ids.
 */
export class RegistryService {
  private readonly writes = new WriteQueue();
  private readonly parsed = new Map<number, ParsedAvroSchema>();

  constructor(
    private readonly state: RegistryState,
    private readonly log: SchemaLog,
  ) {}

  async register(subject: string, input: SchemaInput): Promise<{ id: number }> {
    const candidate = this.parseInput(input);
    const existing = this.liveVersionWith(subject, candidate.canonical);
    if (existing !== undefined) return { id: existing.id };
    return this.writes.run(async () => {
      await this.log.catchUp();
      const again = this.liveVersionWith(subject, candidate.canonical);
      if (again !== undefined) return { id: again.id };
      const level = this.effectiveLevel(subject);
      const problems = compatibilityProblems(candidate.type, this.previousVersions(subject), level);
      if (problems.length > 0) throw registryErrors.incompatible(problems.join('; '));
      const knownId = this.state.idOf(candidate.canonical);
      const id = knownId ?? this.state.nextId();
      const records: RegistryRecord[] = [];
      if (knownId === undefined) records.push({ kind: 'SCHEMA_ID', id, schemaType: 'AVRO', schema: candidate.canonical });
      const version = this.state.highestVersion(subject) + 1;
      records.push({ kind: 'SUBJECT_VERSION', subject, version, id, deleted: false });
      await this.log.append(records);
      return { id };
    });
  }

  lookup(subject: string, input: SchemaInput, includeDeleted: boolean): VersionView {
    const candidate = this.parseInput(input);
    if (this.state.versions(subject, includeDeleted).length === 0) throw registryErrors.subjectNotFound(subject);
    const match = this.state
      .versions(subject, includeDeleted)
      .reverse()
      .find((v) => this.state.schemaById(v.id)?.schema === candidate.canonical);
    if (match === undefined) throw registryErrors.schemaNotFound();
    return this.view(match);
  }

  schemaById(id: number): { schema: string } {
    const stored = this.state.schemaById(id);
    if (stored === undefined) throw registryErrors.schemaNotFound(`Schema ${id} not found`);
    return { schema: stored.schema };
  }

  subjectVersionsOfId(id: number, includeDeleted: boolean): Array<{ subject: string; version: number }> {
    if (this.state.schemaById(id) === undefined) throw registryErrors.schemaNotFound(`Schema ${id} not found`);
    return this.state.usesOf(id, includeDeleted).map(({ subject, version }) => ({ subject, version }));
  }

  subjects(includeDeleted: boolean): string[] {
    return this.state.subjectNames(includeDeleted);
  }

  versions(subject: string, includeDeleted: boolean): number[] {
    const versions = this.state.versions(subject, includeDeleted);
    if (versions.length === 0) throw registryErrors.subjectNotFound(subject);
    return versions.map((v) => v.version);
  }

  version(subject: string, selector: VersionSelector, includeDeleted: boolean): VersionView {
    return this.view(this.findVersion(subject, selector, includeDeleted));
  }

  /** POST /compatibility: against one version, or (selector undefined) the versions the level names. */
  checkCompatibility(subject: string, selector: VersionSelector | undefined, input: SchemaInput): string[] {
    const candidate = this.parseInput(input);
    const level = this.effectiveLevel(subject);
    if (selector === undefined) return compatibilityProblems(candidate.type, this.previousVersions(subject), level);
    const target = this.findVersion(subject, selector, false);
    return compatibilityProblems(candidate.type, [{ version: target.version, type: this.parsedById(target.id).type }], level);
  }

  globalLevel(): CompatibilityLevel {
    return this.state.globalLevelOrUndefined() ?? DEFAULT_COMPATIBILITY_LEVEL;
  }

  subjectLevel(subject: string, defaultToGlobal: boolean): CompatibilityLevel {
    const level = this.state.subjectLevel(subject);
    if (level !== undefined) return level;
    if (defaultToGlobal) return this.globalLevel();
    throw registryErrors.subjectLevelNotConfigured(subject);
  }

  async setLevel(subject: string | null, level: unknown): Promise<CompatibilityLevel> {
    const normalised = typeof level === 'string' ? level.toUpperCase() : level;
    if (!isCompatibilityLevel(normalised)) throw registryErrors.invalidCompatibilityLevel(level);
    await this.writes.run(() => this.log.append([{ kind: 'CONFIG', subject, compatibilityLevel: normalised }]));
    return normalised;
  }

  async clearLevel(subject: string): Promise<CompatibilityLevel> {
    return this.writes.run(async () => {
      await this.log.catchUp();
      const previous = this.subjectLevel(subject, false);
      await this.log.append([{ kind: 'CONFIG_CLEARED', subject }]);
      return previous;
    });
  }

  /** Soft delete (all live versions) or, after that, permanent delete of a subject. */
  async deleteSubject(subject: string, permanent: boolean): Promise<number[]> {
    return this.writes.run(async () => {
      await this.log.catchUp();
      const all = this.state.versions(subject, true);
      if (all.length === 0) throw registryErrors.subjectNotFound(subject);
      const live = all.filter((v) => !v.deleted);
      if (!permanent) {
        if (live.length === 0) throw registryErrors.subjectSoftDeleted(subject);
        await this.log.append(live.map((v) => ({ kind: 'SUBJECT_VERSION', subject, version: v.version, id: v.id, deleted: true }) as const));
        return live.map((v) => v.version);
      }
      if (live.length > 0) throw registryErrors.subjectNotSoftDeleted(subject);
      const records: RegistryRecord[] = all.map((v) => ({ kind: 'SUBJECT_VERSION_PURGED', subject, version: v.version }));
      if (this.state.subjectLevel(subject) !== undefined) records.push({ kind: 'CONFIG_CLEARED', subject });
      await this.log.append(records);
      return all.map((v) => v.version);
    });
  }

  async deleteVersion(subject: string, selector: VersionSelector, permanent: boolean): Promise<number> {
    return this.writes.run(async () => {
      await this.log.catchUp();
      if (this.state.versions(subject, true).length === 0) throw registryErrors.subjectNotFound(subject);
      if (!permanent) {
        const target = this.findVersion(subject, selector, false);
        await this.log.append([{ kind: 'SUBJECT_VERSION', subject, version: target.version, id: target.id, deleted: true }]);
        return target.version;
      }
      const target = this.findVersion(subject, selector, true);
      if (!target.deleted) throw registryErrors.versionNotSoftDeleted(subject, target.version);
      await this.log.append([{ kind: 'SUBJECT_VERSION_PURGED', subject, version: target.version }]);
      return target.version;
    });
  }

  private parseInput(input: SchemaInput): ParsedAvroSchema {
    const schemaType = input.schemaType ?? 'AVRO';
    if (schemaType !== 'AVRO') {
      throw registryErrors.invalidSchema(`schemaType ${JSON.stringify(schemaType)} is not supported by this registry; only AVRO is`);
    }
    if (Array.isArray(input.references) && input.references.length > 0) {
      throw registryErrors.invalidSchema('schema references are not supported by this registry');
    }
    return parseAvroSchema(input.schema);
  }

  private liveVersionWith(subject: string, canonical: string): SubjectVersion | undefined {
    return this.state.versions(subject).find((v) => this.state.schemaById(v.id)?.schema === canonical);
  }

  private effectiveLevel(subject: string): CompatibilityLevel {
    return this.state.subjectLevel(subject) ?? this.globalLevel();
  }

  private previousVersions(subject: string): PreviousVersion[] {
    return this.state.versions(subject).map((v) => ({ version: v.version, type: this.parsedById(v.id).type }));
  }

  private parsedById(id: number): ParsedAvroSchema {
    const cached = this.parsed.get(id);
    if (cached !== undefined) return cached;
    const stored = this.state.schemaById(id);
    if (stored === undefined) throw registryErrors.backend(`schema id ${id} is referenced but missing from the log`);
    const parsed = parseAvroSchema(stored.schema);
    this.parsed.set(id, parsed);
    return parsed;
  }

  private findVersion(subject: string, selector: VersionSelector, includeDeleted: boolean): SubjectVersion {
    const versions = this.state.versions(subject, includeDeleted);
    if (versions.length === 0) throw registryErrors.subjectNotFound(subject);
    const found = selector === 'latest' ? versions[versions.length - 1] : versions.find((v) => v.version === selector);
    if (found === undefined) throw registryErrors.versionNotFound(subject, selector);
    return found;
  }

  private view(v: SubjectVersion): VersionView {
    const stored = this.state.schemaById(v.id);
    if (stored === undefined) throw registryErrors.backend(`schema id ${v.id} is referenced but missing from the log`);
    return { subject: v.subject, id: v.id, version: v.version, schema: stored.schema };
  }
}
