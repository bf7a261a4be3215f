-- The stored totals of one campaign.
SELECT *
FROM reachops.campaign_metrics
WHERE org_id = @org_id AND campaign_id = @campaign_id;
