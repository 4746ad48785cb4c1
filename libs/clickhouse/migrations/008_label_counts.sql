-- Label counts per quarter and source, kept at insert, so that a trend question without label
-- conditions (and the top-rising labels without a filter) reads a few thousand rows instead of the
-- quarter's label arrays: those questions scanned every row of two quarters.
-- Every fact row counts +1 for its quarter, source and labels (dimension '' counts the image itself).
-- A row that stops being live is taken back by a retraction row: a deletion row (is_deleted = 1) that
-- carries the content of the row it hides, marked `retracts = 1`, counts -1. The sink writes one in the
-- same insert as the change (apps/analytics/src/domain/fact-rows.ts): the deletion row at the old key of
-- a moved or taken-down image carries the old content, and an update at the same key adds a retraction
-- row at the old version. The view counts at insert, so merges that later drop rows change nothing; the
-- sink writes each row once (a replayed change is stale and writes nothing), so the counts are exact.
-- The table starts empty: the analytics app fills it from the live rows at start whenever it disagrees
-- with image_facts (apps/analytics/src/sink/derived-tables.ts), so rows stored before this migration count.
ALTER TABLE image_facts ADD COLUMN IF NOT EXISTS retracts UInt8 DEFAULT 0;
CREATE TABLE IF NOT EXISTS label_counts (
  quarter LowCardinality(String),
  source LowCardinality(String),
  dimension LowCardinality(String),
  label LowCardinality(String),
  images Int64
) ENGINE = SummingMergeTree
ORDER BY (quarter, source, dimension, label);
CREATE MATERIALIZED VIEW IF NOT EXISTS label_counts_mv TO label_counts AS
SELECT quarter, source, dv.1 AS dimension, dv.2 AS label, sum(if(is_deleted = 0, 1, -1)) AS images
FROM image_facts
ARRAY JOIN arrayConcat([('', '')],
  arrayMap(v -> ('category', v), category), arrayMap(v -> ('fabric', v), fabric), arrayMap(v -> ('texture', v), texture),
  arrayMap(v -> ('process', v), process), arrayMap(v -> ('accessory', v), accessory), arrayMap(v -> ('style', v), style),
  arrayMap(v -> ('silhouette', v), silhouette), arrayMap(v -> ('collar', v), collar), arrayMap(v -> ('color', v), color)) AS dv
WHERE is_deleted = 0 OR retracts = 1
GROUP BY quarter, source, dimension, label;
