-- The followed-blogger questions name 2,000 bloggers: in image_facts (quarter-first) they touch every
-- granule, so every question read the blogger hash and its label columns for every row. This signed copy
-- is ordered by the blogger hash (granularity 256), so a question reads the ranges of its bloggers only.
-- It is filled at insert by a view on image_facts: a live row adds itself with sign +1, a retraction row
-- (migration 008: a deletion row carrying the content of the row it hides) adds that content with sign -1.
-- A retraction equals the row it takes back in every column here, so under any filter on these columns
-- the signed sums are exact; the copy is a plain MergeTree, so no merge ever pairs rows. The table
-- starts empty: the analytics app fills it from the live rows at start whenever it disagrees with
-- image_facts (apps/analytics/src/sink/derived-tables.ts), so rows stored before this migration count.
CREATE TABLE IF NOT EXISTS facts_by_blogger (
  blogger_hash UInt64,
  quarter LowCardinality(String),
  source LowCardinality(String),
  category Array(LowCardinality(String)),
  fabric Array(LowCardinality(String)),
  texture Array(LowCardinality(String)),
  process Array(LowCardinality(String)),
  accessory Array(LowCardinality(String)),
  style Array(LowCardinality(String)),
  silhouette Array(LowCardinality(String)),
  collar Array(LowCardinality(String)),
  color Array(LowCardinality(String)),
  sign Int8
) ENGINE = MergeTree
ORDER BY (blogger_hash, quarter)
SETTINGS index_granularity = 256;
CREATE MATERIALIZED VIEW IF NOT EXISTS facts_by_blogger_mv TO facts_by_blogger AS
SELECT cityHash64(blogger_id) AS blogger_hash, quarter, source, category, fabric, texture, process, accessory, style, silhouette, collar, color,
  toInt8(if(is_deleted = 0, 1, -1)) AS sign
FROM image_facts
WHERE is_deleted = 0 OR retracts = 1;
