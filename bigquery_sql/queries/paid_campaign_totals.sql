-- Per platform campaign of one ad account, totals over @since..@until (campaign-level rows),
-- the input of the KPI table; reach is left out (daily reach does not add up).
SELECT
  platform,
  account_id,
  campaign_id,
  ANY_VALUE(entity_name) AS campaign_name,
  ANY_VALUE(currency) AS currency,
  ANY_VALUE(reachops_campaign_id) AS reachops_campaign_id,
  ANY_VALUE(creator_id) AS creator_id,
  COUNT(*) AS days,
  SUM(spend_micros) AS spend_micros,
  SUM(impressions) AS impressions,
  SUM(clicks) AS clicks,
  SUM(link_clicks) AS link_clicks,
  SUM(conversions) AS conversions,
  SUM(conversion_value_micros) AS conversion_value_micros,
  SUM(engagements) AS engagements
FROM reachops.ad_insights_daily
WHERE org_id = @org_id
  AND account_id = @account_id
  AND level = 'campaign'
  AND date BETWEEN @since AND @until
GROUP BY platform, account_id, campaign_id
ORDER BY spend_micros DESC, campaign_id;
