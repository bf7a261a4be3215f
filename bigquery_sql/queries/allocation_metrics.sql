-- The stored metrics of every allocation of one campaign (small: one row per allocation).
SELECT *
FROM reachops.allocation_metrics
WHERE org_id = @org_id AND campaign_id = @campaign_id
ORDER BY allocation_id;
