-- The content hashes of the texts scored for one person's records (their sources, from
-- person_source_ids.sql): erasure deletes the cached results keyed by them.
SELECT DISTINCT content_hash
FROM reachops.sentiment_scores
WHERE org_id = @org_id AND source_id IN UNNEST(@source_ids);
