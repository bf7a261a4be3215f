-- The org's synced Meta campaigns (id and current name), for resolving UTM campaigns.
SELECT DISTINCT object_id AS paid_campaign_id, name
FROM reachops.ad_objects
WHERE org_id = @org_id AND level = 'campaign'
ORDER BY paid_campaign_id;
