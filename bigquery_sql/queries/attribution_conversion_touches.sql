-- One conversion's touch path in the default look-back (reachops.attribution_paths), oldest
-- first; @occurred_at (the conversion's time) keeps the read to its partition.
SELECT *
FROM reachops.attribution_paths
WHERE org_id = @org_id AND occurred_at = @occurred_at AND conversion_id = @conversion_id
ORDER BY touch_rank;
