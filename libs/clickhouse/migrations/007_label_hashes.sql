-- Narrow integer columns for the questions (docs/DESIGN.md §13): every question reads whole quarter
-- partitions (2,000 random bloggers touch every granule of a quarter-first table), so their cost is the
-- bytes read and the work per row. Strings cost most there: LowCardinality arrays are decoded per row by
-- has() and by label aggregation. The same values as 64-bit hashes make conditions, the blogger filter and
-- the label grouping integer work; label_names maps a hash back to its value for the few result rows.
-- Materialized at insert; parts written before this migration compute them on read until merged.
ALTER TABLE image_facts ADD COLUMN IF NOT EXISTS blogger_hash UInt64 MATERIALIZED cityHash64(blogger_id);
ALTER TABLE image_facts ADD COLUMN IF NOT EXISTS category_hash Array(UInt64) MATERIALIZED arrayMap(v -> cityHash64(v), category);
ALTER TABLE image_facts ADD COLUMN IF NOT EXISTS fabric_hash Array(UInt64) MATERIALIZED arrayMap(v -> cityHash64(v), fabric);
ALTER TABLE image_facts ADD COLUMN IF NOT EXISTS texture_hash Array(UInt64) MATERIALIZED arrayMap(v -> cityHash64(v), texture);
ALTER TABLE image_facts ADD COLUMN IF NOT EXISTS process_hash Array(UInt64) MATERIALIZED arrayMap(v -> cityHash64(v), process);
ALTER TABLE image_facts ADD COLUMN IF NOT EXISTS accessory_hash Array(UInt64) MATERIALIZED arrayMap(v -> cityHash64(v), accessory);
ALTER TABLE image_facts ADD COLUMN IF NOT EXISTS style_hash Array(UInt64) MATERIALIZED arrayMap(v -> cityHash64(v), style);
ALTER TABLE image_facts ADD COLUMN IF NOT EXISTS silhouette_hash Array(UInt64) MATERIALIZED arrayMap(v -> cityHash64(v), silhouette);
ALTER TABLE image_facts ADD COLUMN IF NOT EXISTS collar_hash Array(UInt64) MATERIALIZED arrayMap(v -> cityHash64(v), collar);
ALTER TABLE image_facts ADD COLUMN IF NOT EXISTS color_hash Array(UInt64) MATERIALIZED arrayMap(v -> cityHash64(v), color);
-- The value of every label hash. The sink writes a batch's label names before its facts (a crash between
-- leaves names of rows not written yet, which are harmless), so every hash stored in image_facts has its name.
CREATE TABLE IF NOT EXISTS label_names (
  dimension LowCardinality(String),
  value String,
  label_hash UInt64 MATERIALIZED cityHash64(value)
) ENGINE = ReplacingMergeTree
ORDER BY (dimension, label_hash, value);
-- Backfill from the stored facts (nothing on a new deployment; running it again only adds duplicates that
-- the readers and merges collapse).
INSERT INTO label_names (dimension, value)
SELECT DISTINCT d.1, d.2 FROM image_facts
ARRAY JOIN arrayConcat(arrayMap(v -> ('category', toString(v)), category), arrayMap(v -> ('fabric', toString(v)), fabric), arrayMap(v -> ('texture', toString(v)), texture), arrayMap(v -> ('process', toString(v)), process), arrayMap(v -> ('accessory', toString(v)), accessory), arrayMap(v -> ('style', toString(v)), style), arrayMap(v -> ('silhouette', toString(v)), silhouette), arrayMap(v -> ('collar', toString(v)), collar), arrayMap(v -> ('color', toString(v)), color)) AS d;
-- The blogger-ordered copy (migration 005) answered the all-quarters question slower than image_facts'
-- quarter partitions (thousands of short ranges per question): the questions read image_facts only.
DROP TABLE IF EXISTS image_facts_by_blogger;
