-- The org's synced Meta campaigns (id and current name), for resolving UTM campaigns, with the
-- ReachOps campaign a person linked each to (the link is stamped on its loaded insight rows).
WITH links AS (
  SELECT campaign_id, MAX(reachops_campaign_id) AS reachops_campaign_id
  FROM reachops.ad_insights_daily
  WHERE org_id = @org_id AND platform = 'meta' AND reachops_campaign_id IS NOT NULL
  GROUP BY campaign_id
)
SELECT DISTINCT o.object_id AS paid_campaign_id, o.name, l.reachops_campaign_id
FROM reachops.ad_objects AS o
LEFT JOIN links AS l ON l.campaign_id = o.object_id
WHERE o.org_id = @org_id AND o.level = 'campaign'
ORDER BY paid_campaign_id;
