-- A second copy of image_facts ordered by blogger, for the followed-blogger question:
-- 2,000 bloggers' rows are contiguous ranges here, so the question reads only their granules
-- (small granules: a blogger has a few dozen rows on average), in every quarter at once.
-- Same rows as image_facts (the sink writes each batch here first, then into image_facts, whose
-- stored versions decide what a redelivered event still has to write), same replacement key
-- columns (blogger_id, quarter, image_id) in another order, hence the same ReplacingMergeTree
-- semantics: highest version per key wins, is_deleted hides it, a move is a deletion row at the old key.
-- Only the columns the question reads; plain String (no LowCardinality dictionaries to reload per
-- range) and small compressed blocks, so a read of a few granules decompresses little else.
CREATE TABLE IF NOT EXISTS image_facts_by_blogger (
  blogger_id String,
  quarter String,
  image_id String,
  source String,
  category Array(String),
  fabric Array(String),
  texture Array(String),
  process Array(String),
  accessory Array(String),
  style Array(String),
  silhouette Array(String),
  collar Array(String),
  color Array(String),
  version UInt64,
  is_deleted UInt8
) ENGINE = ReplacingMergeTree(version, is_deleted)
PRIMARY KEY (blogger_id, quarter)
ORDER BY (blogger_id, quarter, image_id)
SETTINGS index_granularity = 256, min_compress_block_size = 8192;
-- Backfill of a deployment that already has facts (nothing on a new one). Every stored version is
-- copied; running it again after a crash before the ledger row only adds rows identical to stored
-- ones (same key, same version), which FINAL and merges collapse.
INSERT INTO image_facts_by_blogger
SELECT blogger_id, quarter, image_id, source, category, fabric, texture, process, accessory, style, silhouette, collar, color, version, is_deleted
FROM image_facts;
