import type { Client } from '@elastic/elasticsearch';
import { classifyRequestError } from './elasticsearch-errors';
import { imagesMapping, shardsMapping } from './catalog-mappings';

/** What removeOldIndices found and did. */
export interface OldIndicesReport {
  /** The index the alias points at (never removed). */
  readonly current: string | undefined;
  /** Removed (or, on a dry run, to be removed). */
  readonly removed: string[];
  /** Older indices kept for rollback (`keep`) and newer ones (a reindex in progress writes into them). */
  readonly kept: string[];
}

/**
 * The versioned indices to remove: only those OLDER than the aliased one,
 * minus the `keep` newest of them. Newer indices are a reindex in progress (or
 * an abandoned one) and are never chosen; without an alias nothing is.
 */
export function selectOldIndices(versions: readonly { index: string; version: number }[], current: string | undefined, keep: number): string[] {
  const currentVersion = versions.find((v) => v.index === current)?.version;
  if (currentVersion === undefined) return [];
  return versions
    .filter((v) => v.version < currentVersion)
    .sort((a, b) => b.version - a.version)
    .slice(Math.max(0, keep))
    .map((v) => v.index);
}

export interface CatalogLifecycleOptions {
  /** Alias readers and the live sink use, e.g. `catalog-images`; versioned indices are `<alias>-v<N>`. */
  readonly alias: string;
  /** Index of shard progress (from index-updated), e.g. `catalog-shards`. */
  readonly shardsIndex: string;
  /** Replicas of new indices (0 on the single-node local stack). */
  readonly replicas?: number;
  readonly refreshInterval?: string;
}

/**
 * Index template and alias over versioned image indices:
 * `<alias>` → `<alias>-v<N>`. The template (pattern `<alias>-v*`) carries
 * the settings and mapping, so every versioned index gets the same mapping
 * without the code creating it repeating it. Swapping is one `_aliases` call
 * (remove + add are atomic): a reader sees the old index or the new one,
 * never none.
 */
export class CatalogIndexLifecycle {
  constructor(
    private readonly client: Client,
    private readonly options: CatalogLifecycleOptions,
  ) {}

  get alias(): string {
    return this.options.alias;
  }

  indexName(version: number): string {
    return `${this.options.alias}-v${version}`;
  }

  /** Idempotent: template, shards index, and the alias on `-v1` when there is no alias yet. Returns the aliased index. */
  async ensure(): Promise<string> {
    await this.call('put index template', () =>
      this.client.indices.putIndexTemplate({
        name: `${this.options.alias}-template`,
        index_patterns: [`${this.options.alias}-v*`],
        priority: 200,
        template: {
          settings: { number_of_shards: 1, number_of_replicas: this.options.replicas ?? 0, refresh_interval: this.options.refreshInterval ?? '1s' },
          mappings: imagesMapping,
        },
      }),
    );
    if (!(await this.call('check shards index', () => this.client.indices.exists({ index: this.options.shardsIndex })))) {
      await this.createIgnoringExisting(this.options.shardsIndex, { mappings: shardsMapping as never, settings: { number_of_replicas: this.options.replicas ?? 0 } });
    }
    const current = await this.currentIndex();
    if (current !== undefined) {
      // New fields (additive only) reach an index created before they existed; `dynamic: strict` would reject them otherwise.
      await this.call(`put mapping of ${current}`, () => this.client.indices.putMapping({ index: current, ...imagesMapping }));
      return current;
    }
    const first = this.indexName(1);
    await this.createIgnoringExisting(first, { aliases: { [this.options.alias]: {} } });
    return (await this.currentIndex()) ?? first;
  }

  /** The index the alias points at, or undefined when there is no alias. */
  async currentIndex(): Promise<string | undefined> {
    const exists = await this.call('check alias', () => this.client.indices.existsAlias({ name: this.options.alias }));
    if (!exists) return undefined;
    const found = await this.call('get alias', () => this.client.indices.getAlias({ name: this.options.alias }));
    return Object.keys(found)[0];
  }

  /** The existing `<alias>-v<N>` indices with their versions, oldest first. */
  async versionedIndices(): Promise<{ index: string; version: number }[]> {
    const existing = await this.call('list versioned indices', () =>
      this.client.indices.get({ index: `${this.options.alias}-v*`, allow_no_indices: true, expand_wildcards: 'all' }),
    );
    const prefix = `${this.options.alias}-v`;
    return Object.keys(existing)
      .filter((name) => /^\d+$/.test(name.slice(prefix.length)))
      .map((index) => ({ index, version: Number(index.slice(prefix.length)) }))
      .sort((a, b) => a.version - b.version);
  }

  /**
   * Deletes versioned indices older than the aliased one, keeping the `keep`
   * newest of them for rollback (see selectOldIndices). The alias is read again
   * right before deleting and the choice redone if it moved; a swap can only
   * move it to a newer index, so an index chosen from the earlier reading is
   * older than the current one as well. Deletes by exact name, never a pattern.
   */
  async removeOldIndices(options: { keep?: number; dryRun?: boolean } = {}): Promise<OldIndicesReport> {
    const keep = options.keep ?? 0;
    let current = await this.currentIndex();
    let versions = await this.versionedIndices();
    let chosen = selectOldIndices(versions, current, keep);
    const again = await this.currentIndex();
    if (again !== current) {
      current = again;
      versions = await this.versionedIndices();
      chosen = selectOldIndices(versions, current, keep);
    }
    if (chosen.length > 0 && options.dryRun !== true) {
      await this.call(`delete ${chosen.join(',')}`, () => this.client.indices.delete({ index: chosen, ignore_unavailable: true }));
    }
    const kept = versions.map((v) => v.index).filter((i) => i !== current && !chosen.includes(i));
    return { current, removed: chosen, kept };
  }

  /** Creates `<alias>-v<N+1>` (N = highest existing version), without alias, from the template. */
  async createNextIndex(): Promise<string> {
    const versions = (await this.versionedIndices()).map((v) => v.version);
    const next = this.indexName(Math.max(0, ...versions) + 1);
    await this.call(`create ${next}`, () => this.client.indices.create({ index: next }));
    return next;
  }

  /** Makes `index` searchable, then moves the alias to it atomically. Returns the previous index. */
  async swapAlias(index: string): Promise<string | undefined> {
    await this.call(`refresh ${index}`, () => this.client.indices.refresh({ index }));
    const previous = await this.currentIndex();
    const actions: object[] = [];
    if (previous !== undefined && previous !== index) actions.push({ remove: { index: previous, alias: this.options.alias } });
    actions.push({ add: { index, alias: this.options.alias } });
    await this.call('swap alias', () => this.client.indices.updateAliases({ actions: actions }));
    return previous;
  }

  private async createIgnoringExisting(index: string, body: { mappings?: never; settings?: object; aliases?: Record<string, object> }): Promise<void> {
    try {
      await this.client.indices.create({ index, ...body });
    } catch (err) {
      const type = (err as { body?: { error?: { type?: string } } }).body?.error?.type;
      if (type !== 'resource_already_exists_exception') throw classifyRequestError(err, `create ${index}`);
    }
  }

  private async call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw classifyRequestError(err, what);
    }
  }
}
