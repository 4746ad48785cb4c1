import { z } from 'zod';
import { InvalidInputError } from '@stylestream/errors';

/** Default name of the compacted topic holding the model registry (docs/DESIGN.md §17). */
export const MODEL_REGISTRY_TOPIC = 'model-registry';

/** Key of the record naming the active (default) version. */
export const ACTIVE_KEY = 'active';
/** Key prefix of one version's record: `version/<modelVersion>`. */
export const VERSION_KEY_PREFIX = 'version/';

const versionName = z.string().regex(/^[A-Za-z0-9._@-]{1,100}$/, 'must be a file-name-safe model version');

/**
 * Where one version stands (which one is the default is the separate `active` record):
 * BUILDING (its chain replays image-arrived, the index fills beside the others; searchable by version),
 * READY (caught up with the log: may become active), RETIRED (cleanup ran: no longer searched,
 * shards and groups removed).
 */
export const VERSION_STATES = ['BUILDING', 'READY', 'RETIRED'] as const;
export type VersionState = (typeof VERSION_STATES)[number];

/** One model version: what serves it and which names its chain uses (so cleanup can remove them). */
export const versionRecordSchema = z.object({
  version: versionName,
  modelId: z.string().min(1),
  dim: z.number().int().positive(),
  state: z.enum(VERSION_STATES),
  /** Base URLs of the index-writers holding this version's shards (the search API fans out to them). */
  owners: z.array(z.string().url()),
  groups: z.array(z.string().min(1)),
  /** Changelog topic of this version's dedupe, when it has its own. */
  dedupeStateTopic: z.string().min(1).nullable(),
  /** Root of the shard folders (`<indexDir>/<version>/`) on the writer's host. */
  indexDir: z.string().min(1).nullable(),
  updatedAt: z.number().int(),
});
export type VersionRecord = z.infer<typeof versionRecordSchema>;

export const activeRecordSchema = z.object({ version: versionName, previous: versionName.nullable(), updatedAt: z.number().int() });
export type ActiveRecord = z.infer<typeof activeRecordSchema>;

export type RegistryRecord = { readonly kind: 'version'; readonly value: VersionRecord } | { readonly kind: 'active'; readonly value: ActiveRecord };

export const versionKey = (version: string): string => `${VERSION_KEY_PREFIX}${version}`;

/** JSON body of a registry record (a control topic like dedupe's changelog, not a chain event). */
export function encodeRegistryRecord(record: RegistryRecord): { key: string; value: Buffer } {
  const key = record.kind === 'active' ? ACTIVE_KEY : versionKey(record.value.version);
  return { key, value: Buffer.from(JSON.stringify(record.value)) };
}

/**
 * Decodes one record of the registry topic; undefined for a tombstone (a
 * removed key). Throws InvalidInputError naming the key on a malformed value.
 */
export function decodeRegistryRecord(key: string, value: Buffer | null): RegistryRecord | undefined {
  if (value === null) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(value.toString('utf8'));
  } catch (err) {
    throw new InvalidInputError(`model registry record "${key}" is not JSON`, 'REGISTRY_RECORD_INVALID', err);
  }
  const schema = key === ACTIVE_KEY ? activeRecordSchema : key.startsWith(VERSION_KEY_PREFIX) ? versionRecordSchema : undefined;
  if (schema === undefined) throw new InvalidInputError(`model registry key "${key}" is neither "${ACTIVE_KEY}" nor "${VERSION_KEY_PREFIX}<version>"`, 'REGISTRY_RECORD_INVALID');
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new InvalidInputError(`model registry record "${key}": ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`, 'REGISTRY_RECORD_INVALID');
  return key === ACTIVE_KEY ? { kind: 'active', value: parsed.data as ActiveRecord } : { kind: 'version', value: parsed.data as VersionRecord };
}

/**
 * The registry folded from its records, last write per key wins (the topic is
 * compacted by key, so a reader from the beginning sees the same state).
 */
export class ModelRegistryState {
  private readonly versions = new Map<string, VersionRecord>();
  private activeRecord: ActiveRecord | undefined;

  apply(key: string, record: RegistryRecord | undefined): void {
    if (record === undefined) {
      if (key === ACTIVE_KEY) this.activeRecord = undefined;
      else this.versions.delete(key.slice(VERSION_KEY_PREFIX.length));
      return;
    }
    if (record.kind === 'active') this.activeRecord = record.value;
    else this.versions.set(record.value.version, record.value);
  }

  /** The active version, when one was cut over to. */
  get active(): ActiveRecord | undefined {
    return this.activeRecord;
  }

  version(version: string): VersionRecord | undefined {
    return this.versions.get(version);
  }

  all(): VersionRecord[] {
    return [...this.versions.values()].sort((a, b) => a.updatedAt - b.updatedAt);
  }

  /** Owners of every version not retired (the search API's fan-out set besides its static owners). */
  liveOwners(): string[] {
    return [...new Set(this.all().filter((v) => v.state !== 'RETIRED').flatMap((v) => v.owners))];
  }
}
