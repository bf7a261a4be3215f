-- Daily delivery per platform campaign (the budget advisor's channels) linked to one ReachOps
-- campaign, from @start_date to @end_date. Each platform campaign counts once per day, from its
-- campaign-level row, else its ad sets, else its ads (as in ad_daily_series.sql).
WITH ranked AS (
  SELECT
    *,
    CASE level WHEN 'campaign' THEN 1 WHEN 'adset' THEN 2 WHEN 'ad' THEN 3 END AS level_rank
  FROM reachops.ad_insights_daily
  WHERE org_id = @org_id
    AND date BETWEEN @start_date AND @end_date
    AND reachops_campaign_id = @reachops_campaign_id
),

chosen AS (
  SELECT *
  FROM ranked
  WHERE TRUE
  QUALIFY level_rank = MIN(level_rank) OVER (
    PARTITION BY org_id, platform, account_id, campaign_id, date
  )
)

SELECT
  date,
  platform,
  campaign_id,
  ANY_VALUE(IF(level = 'campaign', entity_name, NULL)) AS campaign_name,
  currency,
  SUM(spend_micros) AS spend_micros,
  SUM(impressions) AS impressions,
  SUM(link_clicks) AS link_clicks,
  SUM(conversions) AS conversions,
  SUM(conversion_value_micros) AS conversion_value_micros,
  SUM(engagements) AS engagements,
  SUM(video_p100) AS video_p100
FROM chosen
GROUP BY date, platform, campaign_id, currency
ORDER BY date, platform, campaign_id;
