-- The current settings of every campaign, ad set and ad, keyed by (org_id, platform, account_id,
-- level, object_id): ad_objects with each object's campaign objective filled in (Meta sets the
-- objective on the campaign only). Join KPI or insight rows on
--   o.org_id = k.org_id AND o.platform = k.platform AND o.account_id = k.account_id
--   AND o.level = k.level AND o.object_id = k.entity_id
-- to give every row its status, effective_status, objective, budgets, bid strategy and creative.
-- Settings are today's, not the day's: a campaign paused yesterday shows PAUSED on its past rows.
CREATE OR REPLACE VIEW reachops.paid_objects_current AS
SELECT
  o.org_id,
  o.platform,
  o.account_id,
  o.level,
  o.object_id,
  o.name,
  IF(o.level = 'campaign', o.object_id, o.campaign_id) AS campaign_id,
  o.adset_id,
  o.status,
  o.effective_status,
  COALESCE(o.objective, c.objective) AS objective,
  o.currency,
  o.daily_budget_micros,
  o.lifetime_budget_micros,
  o.bid_strategy,
  o.creative_id,
  o.creative_thumbnail_url,
  o.updated_time,
  o.synced_at
FROM reachops.ad_objects AS o
LEFT JOIN reachops.ad_objects AS c
  ON c.org_id = o.org_id AND c.platform = o.platform AND c.account_id = o.account_id
  AND c.level = 'campaign' AND c.object_id = o.campaign_id;
