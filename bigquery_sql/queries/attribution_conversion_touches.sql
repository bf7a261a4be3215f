-- One conversion's touch path in the default look-back (reachops.attribution_paths), oldest first.
SELECT *
FROM reachops.attribution_paths
WHERE org_id = @org_id AND conversion_id = @conversion_id
ORDER BY touch_rank;
