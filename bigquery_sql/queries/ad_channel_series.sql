-- Daily delivery per platform campaign (the budget advisor's channels) linked to one ReachOps
-- campaign, from @start_date to @end_date. Each platform campaign counts once per day, from the
-- level views/paid_answering_rows.sql chooses (as in ad_daily_series.sql); conversions are the
-- `default` attribution window's.
WITH chosen AS (
  SELECT *
  FROM reachops.paid_answering_rows
  WHERE org_id = @org_id
    AND date BETWEEN @start_date AND @end_date
    AND reachops_campaign_id = @reachops_campaign_id
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
