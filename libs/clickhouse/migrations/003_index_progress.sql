-- Progress of index shards, from index-updated (keyed by shard, not by image):
-- the last applied offset per input partition; version = Kafka offset of the report.
CREATE TABLE IF NOT EXISTS index_progress (
  shard_id String,
  topic LowCardinality(String),
  partition UInt32,
  applied_offset UInt64,
  vector_count UInt64,
  snapshot_version UInt64,
  sealed UInt8,
  at DateTime64(3, 'UTC'),
  version UInt64
) ENGINE = ReplacingMergeTree(version)
ORDER BY (shard_id, topic, partition);
