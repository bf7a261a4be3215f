-- Link every loaded row of one paid campaign (all levels) to a ReachOps campaign and a creator.
UPDATE reachops.ad_insights_daily
SET
  reachops_campaign_id = CAST(@reachops_campaign_id AS STRING),
  creator_id = CAST(@creator_id AS STRING)
WHERE org_id = @org_id
  AND account_id = @account_id
  AND campaign_id = @campaign_id;
