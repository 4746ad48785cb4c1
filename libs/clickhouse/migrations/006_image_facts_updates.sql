-- Lets the trend questions read image_facts without FINAL (a merge on read of every unmerged
-- partition, i.e. of the whole live quarter on every question). The sink marks every row but an
-- image's first with is_update = 1; a live row is its image's highest version, so a quarter's live
-- rows are its non-deleted rows of images without an update there, or at their image's highest
-- updated version (apps/analytics/src/query/stats-queries.ts, liveFactTerms).
-- image_hash identifies the image there with 8 bytes a row instead of the id string (parts written
-- before this migration compute it on read until they are merged).
ALTER TABLE image_facts ADD COLUMN IF NOT EXISTS is_update UInt8 DEFAULT 0;
ALTER TABLE image_facts ADD COLUMN IF NOT EXISTS image_hash UInt64 MATERIALIZED cityHash64(image_id);
-- Rows stored before this migration carry no mark. For every image with more than one row in a
-- quarter, add one marked deletion row at the image's highest version there, under a blogger id no
-- event has (a NUL byte): FINAL hides it (a deletion, alone at its key), it makes the image count as
-- updated in that quarter with the right highest version, and the sink's stored-key lookup still
-- sees the real row (at equal versions a live row wins; a deleted state stays deleted). Running
-- this again after a crash before the ledger row adds identical markers, which change nothing.
INSERT INTO image_facts (image_id, quarter, blogger_id, source, published_at, crawled_at, version, is_deleted, is_update)
SELECT image_id, quarter, '\0', '', toDateTime64(0, 3, 'UTC'), toDateTime64(0, 3, 'UTC'), max(version), 1, 1
FROM image_facts
GROUP BY quarter, image_id
HAVING count() > 1;
