import type { Client } from '@elastic/elasticsearch';
import { classifyRequestError } from './elasticsearch-errors';
import { imagesMapping, shardsMapping } from './catalog-mappings';

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
    if (current !== undefined) return current;
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

  /** Creates `<alias>-v<N+1>` (N = highest existing version), without alias, from the template. */
  async createNextIndex(): Promise<string> {
    const existing = await this.call('list versioned indices', () =>
      this.client.indices.get({ index: `${this.options.alias}-v*`, allow_no_indices: true, expand_wildcards: 'all' }),
    );
    const versions = Object.keys(existing).map((name) => Number(name.slice(`${this.options.alias}-v`.length))).filter(Number.isInteger);
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
