-- The paid campaigns linked to one creator, most recently active first (campaign-level rows).
SELECT
  platform,
  account_id,
  campaign_id,
  ANY_VALUE(entity_name) AS campaign_name,
  ANY_VALUE(currency) AS currency,
  MAX(IF(COALESCE(spend_micros, 0) > 0 OR COALESCE(impressions, 0) > 0, date, NULL))
    AS last_active_date,
  MIN(date) AS first_date,
  SUM(spend_micros) AS spend_micros,
  SUM(impressions) AS impressions,
  SUM(engagements) AS engagements
FROM reachops.ad_insights_daily
WHERE org_id = @org_id
  AND creator_id = @creator_id
  AND level = 'campaign'
GROUP BY platform, account_id, campaign_id
HAVING last_active_date IS NOT NULL
ORDER BY last_active_date DESC, campaign_id
LIMIT 5;
