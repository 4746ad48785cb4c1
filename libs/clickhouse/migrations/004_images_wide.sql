-- The wide row per image: facts + dedupe verdict + whether an index shard has applied it.
-- A view (joined at read time) because three topics update one image with independent versions.
CREATE VIEW IF NOT EXISTS images_wide AS
SELECT
  f.image_id AS image_id, f.quarter AS quarter, f.blogger_id AS blogger_id, f.source AS source,
  f.published_at AS published_at, f.crawled_at AS crawled_at,
  f.category AS category, f.fabric AS fabric, f.texture AS texture, f.process AS process, f.accessory AS accessory,
  f.style AS style, f.silhouette AS silhouette, f.collar AS collar, f.color AS color,
  d.status AS dedup_status, d.duplicate_of AS duplicate_of, d.similarity AS similarity, d.cleaned_at AS cleaned_at,
  d.image_id != '' AND p.applied_offset >= d.cleaned_offset AS indexed
FROM (SELECT * FROM image_facts FINAL) AS f
LEFT JOIN (SELECT * FROM image_dedup FINAL) AS d ON d.image_id = f.image_id
LEFT JOIN (
  SELECT topic, partition, max(applied_offset) AS applied_offset FROM index_progress FINAL GROUP BY topic, partition
) AS p ON p.topic = d.cleaned_topic AND p.partition = d.cleaned_partition;
