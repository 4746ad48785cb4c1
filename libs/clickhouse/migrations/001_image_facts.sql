-- Catalogue facts of one image, from image-arrived. One live row per image:
-- ReplacingMergeTree keeps the highest `version` (the Kafka offset of the event) per sort key,
-- and a row with is_deleted = 1 (tombstone) hides the image. Queries read it with FINAL.
-- Quarter-first ordering: trend and followed-blogger questions always name quarters.
CREATE TABLE IF NOT EXISTS image_facts (
  image_id String,
  quarter LowCardinality(String),
  blogger_id String,
  source LowCardinality(String),
  published_at DateTime64(3, 'UTC'),
  crawled_at DateTime64(3, 'UTC'),
  category Array(LowCardinality(String)),
  fabric Array(LowCardinality(String)),
  texture Array(LowCardinality(String)),
  process Array(LowCardinality(String)),
  accessory Array(LowCardinality(String)),
  style Array(LowCardinality(String)),
  silhouette Array(LowCardinality(String)),
  collar Array(LowCardinality(String)),
  color Array(LowCardinality(String)),
  version UInt64,
  is_deleted UInt8,
  INDEX image_id_bloom image_id TYPE bloom_filter(0.01) GRANULARITY 4
) ENGINE = ReplacingMergeTree(version, is_deleted)
PARTITION BY quarter
ORDER BY (quarter, blogger_id, image_id);
