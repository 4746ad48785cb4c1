import type { Logger } from 'pino';
import { DependencyUnavailableError, reasonOf, withinDeadline } from '@stylestream/errors';
import { ModelRegistryState, type KafkaModelRegistry } from '@stylestream/model';
import type { OwnerDirectory } from '../domain/owner-directory';
import type { QueryEmbedder } from '../domain/query-embedder.port';

/**
 * Keeps this replica in step with the model registry topic: the active
 * version becomes the default of every search, the owners of every version
 * not retired join the static ones (SEARCH_SHARD_OWNERS), and a query image
 * for a registered version is embedded by that version's model, loaded on
 * first use. `start` reads the topic to its end before the API listens, then
 * follows it; a registry that cannot be read stops the boot.
 */
export class ModelRegistryFollower {
  private state = new ModelRegistryState();
  private unfollow: (() => Promise<void>) | undefined;
  private readonly embedders = new Map<string, Promise<QueryEmbedder | undefined>>();
  private announced: string | undefined;

  constructor(
    private readonly registry: KafkaModelRegistry,
    private readonly directory: OwnerDirectory,
    private readonly staticOwners: readonly string[],
    /** Opens the query embedder of a model id (from MODEL_DIR). */
    private readonly openEmbedder: (modelId: string) => Promise<QueryEmbedder>,
    private readonly logger: Logger,
  ) {}

  async start(timeoutMs = 30_000): Promise<void> {
    const { caughtUp, stop } = await this.registry.follow((state) => this.apply(state));
    this.unfollow = stop;
    try {
      await withinDeadline(caughtUp, timeoutMs, () => new DependencyUnavailableError('kafka', `the model registry ${this.registry.topic} was not read to its end within ${timeoutMs} ms`));
    } catch (err) {
      await stop();
      throw err;
    }
  }

  /** The registry's active version, unless it names none (then undefined: the configured default applies). */
  activeVersion(): string | undefined {
    return this.state.active?.version;
  }

  dimOf(version: string): number | undefined {
    return this.state.version(version)?.dim;
  }

  /** The query embedder of a registered, not retired version; undefined when unknown or its model does not open. */
  embedderFor(version: string): Promise<QueryEmbedder | undefined> {
    const record = this.state.version(version);
    if (record === undefined || record.state === 'RETIRED') return Promise.resolve(undefined);
    let loading = this.embedders.get(version);
    if (loading === undefined) {
      loading = this.openEmbedder(record.modelId).then(
        (embedder) => {
          if (embedder.modelVersion === version && embedder.dim === record.dim) return embedder;
          this.logger.error({ version, modelId: record.modelId, loaded: embedder.modelVersion, dim: embedder.dim }, 'the registered model does not match its record; image search of that version is off');
          void embedder.close();
          return undefined;
        },
        (err: unknown) => {
          this.logger.error({ version, modelId: record.modelId, reason: reasonOf(err) }, 'could not open the model of a registered version');
          this.embedders.delete(version);
          return undefined;
        },
      );
      this.embedders.set(version, loading);
    }
    return loading;
  }

  async close(): Promise<void> {
    await this.unfollow?.();
    for (const loading of this.embedders.values()) await (await loading)?.close();
  }

  private apply(state: ModelRegistryState): void {
    this.state = state;
    this.directory.setOwners([...this.staticOwners, ...state.liveOwners()]);
    const active = state.active?.version;
    if (active !== this.announced) {
      this.announced = active;
      this.logger.info({ active, owners: this.directory.owners }, 'model registry: active version');
    }
  }
}
