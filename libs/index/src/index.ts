export * from './hnsw-params';
export * from './hnsw-shard';
export * from './shard-set';
export * from './durable-files';
export * from './shard-snapshot.store';
