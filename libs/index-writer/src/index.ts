/**
 * The shard owner (index-writer) as a component: vector-cleaned → HNSW shards
 * on disk → index-updated, plus the k-NN endpoint. apps/index-writer runs it as
 * a process of its own; apps/search-api can run one in its own process
 * (SEARCH_LOCAL_OWNER) and query it without a network hop.
 */
export { indexWriterConfigSchema, type IndexWriterConfig } from './index-writer.config';
export { startIndexWriter, INDEX_WRITER_STAGE, type IndexWriterRuntime } from './index-writer.runtime';
export { ShardQueryService, type KnnResponse, type ShardsResponse } from './query/shard-query.service';
export { parseKnnRequest, type KnnRequest } from './query/knn-request';
export { IndexWriterMetrics } from './index-writer.metrics';
