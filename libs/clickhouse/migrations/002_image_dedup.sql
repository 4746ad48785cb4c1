-- Dedupe verdict of one image, from vector-cleaned (version = its Kafka offset).
-- cleaned_topic/partition/offset say where the verdict sits in vector-cleaned, which
-- index-updated progress is compared against (see images_wide.indexed).
CREATE TABLE IF NOT EXISTS image_dedup (
  image_id String,
  status LowCardinality(String),
  duplicate_of Nullable(String),
  similarity Nullable(Float64),
  model_version LowCardinality(String),
  cleaned_at DateTime64(3, 'UTC'),
  cleaned_topic LowCardinality(String),
  cleaned_partition UInt32,
  cleaned_offset UInt64,
  version UInt64,
  is_deleted UInt8
) ENGINE = ReplacingMergeTree(version, is_deleted)
ORDER BY image_id;
