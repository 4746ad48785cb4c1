import type { Logger } from 'pino';
import { CatalogImageSearch, ElasticsearchCandidateSource, ElasticsearchNearDuplicateSource, createElasticsearchClient, type CatalogCandidateSource } from '@stylestream/catalog';
import { loadConfig } from '@stylestream/config';
import { ConfigError, reasonOf } from '@stylestream/errors';
import { HttpErrorFilter, type ReadinessProbe } from '@stylestream/http';
import { indexWriterConfigSchema, startIndexWriter, type IndexWriterRuntime } from '@stylestream/index-writer';
import { stopOnSignals } from '@stylestream/kafka';
import { collectProcessMetrics } from '@stylestream/metrics';
import { KafkaModelRegistry, SharpImageDecoder, loadModel, modelRuntimeOptionsFrom } from '@stylestream/model';
import { UriImageFetcher } from '@stylestream/storage';
import { Kafka, logLevel } from 'kafkajs';
import { ModelRegistryFollower } from './adapters/model-registry.follower';
import { ColocatedShardOwnerClient } from './adapters/colocated-shard-owner.client';
import { HttpShardOwnerClient } from './adapters/http-shard-owner.client';
import { ModelQueryEmbedder } from './adapters/model-query.embedder';
import { OwnerDirectory } from './domain/owner-directory';
import type { QueryEmbedder } from './domain/query-embedder.port';
import { SearchCursorCodec } from './domain/search-cursor.codec';
import { NearDuplicateSearch } from './domain/near-duplicate.search';
import { promSearchMetrics } from './domain/search.metrics';
import { VectorSearchService } from './domain/vector-search.service';
import { createSearchHttpApp } from './http/search-http.app';
import { SearchRequests } from './http/search-requests';
import type { SearchApiConfig } from './search-api.config';

/**
 * Runs the search API: the local shard owner (SEARCH_LOCAL_OWNER), owner
 * client and directory (first listing awaited, bounded), catalogue adapters,
 * the embedding model (unless off), then HTTP. SIGTERM/SIGINT: stop HTTP, the
 * directory refresh, close clients and model, stop the local owner.
 */
export async function serveSearchApi(config: SearchApiConfig, logger: Logger, adapters: { candidateSource?: CatalogCandidateSource } = {}): Promise<void> {
  collectProcessMetrics('search-api');
  const local = config.SEARCH_LOCAL_OWNER ? await startLocalOwner(config.SEARCH_DIM, logger) : undefined;
  const remote = new HttpShardOwnerClient({ connectionsPerOwner: config.SEARCH_OWNER_CONNECTIONS, keepAliveMs: 30_000 });
  const client = local === undefined ? remote : new ColocatedShardOwnerClient({ url: local.runtime.url, queries: local.runtime.queries, dim: local.dim, maxK: local.maxK }, remote, new HttpErrorFilter(logger));
  const owners = local === undefined ? config.SEARCH_SHARD_OWNERS : [...config.SEARCH_SHARD_OWNERS.filter((o) => o !== local.runtime.url), local.runtime.url];
  const directory = new OwnerDirectory(owners, client, { refreshMs: config.SEARCH_SHARDS_REFRESH_MS, timeoutMs: Math.max(1_000, config.SEARCH_SHARD_DEADLINE_MS), logger });
  await directory.start();
  const registry =
    config.SEARCH_MODEL_REGISTRY_TOPIC === undefined
      ? undefined
      : new ModelRegistryFollower(
          new KafkaModelRegistry(new Kafka({ clientId: 'stylestream-search-api', brokers: config.KAFKA_BROKERS, logLevel: logLevel.NOTHING }), config.SEARCH_MODEL_REGISTRY_TOPIC, logger),
          directory,
          owners,
          async (modelId) => new ModelQueryEmbedder(await loadModel({ ...modelRuntimeOptionsFrom(config), modelId }), new SharpImageDecoder(config.SEARCH_UPLOAD_MAX_PIXELS)),
          logger,
        );
  await registry?.start();
  // A given candidate source (benchmarks: a synthetic label index) replaces Elasticsearch; GET /v1/images is then not served.
  const es = adapters.candidateSource === undefined ? createElasticsearchClient({ node: config.ELASTICSEARCH_URL, requestTimeoutMs: config.SEARCH_CATALOG_TIMEOUT_MS, maxRetries: 0 }) : undefined;
  const catalog = es === undefined ? undefined : { search: new CatalogImageSearch(es, config.CATALOG_ALIAS), candidateSource: new ElasticsearchCandidateSource(es, config.CATALOG_ALIAS) };
  const candidateSource = adapters.candidateSource ?? catalog?.candidateSource;
  if (candidateSource === undefined) throw new Error('no catalogue candidate source');
  let embedder: QueryEmbedder | undefined;
  if (config.SEARCH_IMAGE_MODEL) {
    const loaded = new ModelQueryEmbedder(await loadModel(modelRuntimeOptionsFrom(config)), new SharpImageDecoder(config.SEARCH_UPLOAD_MAX_PIXELS));
    if (loaded.dim === config.SEARCH_DIM) embedder = loaded;
    else {
      // A misconfigured model must not answer with vectors of the wrong space: image search is off (503 with this reason).
      logger.error({ model: config.MODEL_ID, dim: loaded.dim, indexDim: config.SEARCH_DIM }, 'the model\'s vectors do not fit the index (set MODEL_ID); image search is off');
      await loaded.close();
    }
  }
  const cursors = new SearchCursorCodec(config.SEARCH_CURSOR_SECRET);
  if (config.SEARCH_CURSOR_SECRET === undefined) logger.warn('SEARCH_CURSOR_SECRET unset: cursors are valid on this process only');
  const search = new VectorSearchService({
    client,
    directory,
    catalog: candidateSource,
    cursors,
    metrics: promSearchMetrics(),
    options: {
      owners: () => directory.owners,
      deadlineMs: config.SEARCH_SHARD_DEADLINE_MS,
      catalogTimeoutMs: config.SEARCH_CATALOG_TIMEOUT_MS,
      postFilterRounds: config.SEARCH_FILTER_ROUNDS,
      strategy: { candidateMax: config.SEARCH_FILTER_CANDIDATE_MAX, hitCost: config.SEARCH_FILTER_HIT_COST, overFetch: config.SEARCH_FILTER_OVERFETCH, minFetch: config.SEARCH_FILTER_MIN_FETCH, maxDepth: config.SEARCH_MAX_DEPTH },
    },
  });
  const nearDuplicates =
    es === undefined || !config.SEARCH_NEAR_DUPLICATES
      ? undefined
      : new NearDuplicateSearch({
          ranking: search,
          source: new ElasticsearchNearDuplicateSource(es, config.CATALOG_ALIAS),
          cursors,
          options: {
            thresholds: { rule: 'tiered', maxFineDistance: config.SEARCH_NEAR_FINE_MAX_DISTANCE, maxHammingDistance: config.SEARCH_NEAR_PHASH_MAX_DISTANCE, minCosineWithPhash: config.SEARCH_NEAR_COSINE_MIN, minCosine: 1 },
            maxCandidates: config.SEARCH_NEAR_CANDIDATES_MAX,
            catalogTimeoutMs: config.SEARCH_CATALOG_TIMEOUT_MS,
          },
        });
  const configuredVersion = config.SEARCH_MODEL_VERSION ?? embedder?.modelVersion;
  const defaultModelVersion = (): string | undefined => registry?.activeVersion() ?? configuredVersion;
  const requests = new SearchRequests({
    search,
    cursors,
    client,
    owners: () => directory.owners,
    deadlineMs: config.SEARCH_SHARD_DEADLINE_MS,
    limits: { dim: config.SEARCH_DIM, defaultK: config.SEARCH_DEFAULT_K, maxK: config.SEARCH_MAX_K, maxEf: config.SEARCH_MAX_EF },
    ...(embedder === undefined ? {} : { embedder }),
    fetcher: new UriImageFetcher({ maxBytes: config.SEARCH_UPLOAD_MAX_BYTES, timeoutMs: config.SEARCH_URL_TIMEOUT_MS, attempts: 1, initialBackoffMs: 0, maxBackoffMs: 0 }),
    urlSchemes: config.SEARCH_URL_SCHEMES,
    defaultModelVersion,
    ...(registry === undefined ? {} : { dimOf: (v: string) => registry.dimOf(v), embedderFor: (v: string) => registry.embedderFor(v) }),
    ...(nearDuplicates === undefined ? {} : { nearDuplicates }),
  });
  const app = await createSearchHttpApp({
    requests,
    directory,
    ...(catalog === undefined ? {} : { catalog }),
    apiKeys: config.SEARCH_API_KEYS,
    // With a local owner, ready once it has joined its group and loaded its partitions' shards (its own /readyz).
    ...(local === undefined ? {} : { readiness: [localOwnerReadiness(local.runtime)] }),
    rateLimit: { perSecond: config.SEARCH_RATE_LIMIT_PER_SEC, burst: config.SEARCH_RATE_LIMIT_BURST },
    uploads: { maxBytes: config.SEARCH_UPLOAD_MAX_BYTES, contentTypes: config.SEARCH_UPLOAD_CONTENT_TYPES, maxJsonBytes: config.SEARCH_MAX_JSON_BYTES },
    logger,
  });
  await app.listen(config.SEARCH_HTTP_PORT, config.SEARCH_HTTP_HOST);
  // Longer than clients' and load balancers' idle timeouts, so the server never closes a kept-alive socket a client is reusing.
  const server = app.getHttpServer();
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : config.SEARCH_HTTP_PORT;
  logger.info({ url: `http://${config.SEARCH_HTTP_HOST}:${port}`, docs: `http://${config.SEARCH_HTTP_HOST}:${port}/docs`, owners: directory.owners, modelVersion: defaultModelVersion() ?? null, registry: config.SEARCH_MODEL_REGISTRY_TOPIC ?? null }, 'search-api listening');
  stopOnSignals(async () => {
    await app.close();
    directory.stop();
    await client.close();
    await es?.close().catch((err: unknown) => logger.warn({ err: reasonOf(err) }, 'closing the Elasticsearch client failed'));
    await embedder?.close();
    await registry?.close();
    await local?.runtime.stop();
  }, logger);
}

function localOwnerReadiness(runtime: IndexWriterRuntime): ReadinessProbe {
  return {
    name: 'local-owner',
    check: () => {
      const readiness = runtime.ownership.readiness();
      return Promise.resolve(readiness.ready ? { ok: true } : { ok: false, reason: readiness.reason });
    },
  };
}

/**
 * The shard owner of SEARCH_LOCAL_OWNER: the index-writer component with its own INDEX_* configuration (a bad
 * variable stops the start, named). A dead shard worker ends the process, as it ends a standalone index-writer.
 */
async function startLocalOwner(searchDim: number, logger: Logger): Promise<{ runtime: IndexWriterRuntime; dim: number; maxK: number }> {
  const config = loadConfig(indexWriterConfigSchema);
  if (config.INDEX_DIM !== searchDim) throw new ConfigError([`INDEX_DIM: the local owner's dimension (${config.INDEX_DIM}) must equal SEARCH_DIM (${searchDim})`]);
  const ownerLogger = logger.child({ component: 'local-owner' });
  const runtime = await startIndexWriter(config, ownerLogger, (reason) => {
    ownerLogger.fatal({ reason }, 'the local shard owner lost a shard worker; exiting');
    process.exit(1);
  });
  return { runtime, dim: config.INDEX_DIM, maxK: config.INDEX_MAX_K };
}
