-- One row per platform campaign per day (org_id, platform, account_id, campaign_id, date), with
-- the KPIs of paid_kpis_daily (same formulas, same units: cost KPIs in MAJOR units of currency
-- as FLOAT64, exact money in *_micros; NULL when a denominator is 0 or unknown).
--
-- Which rows: the campaign's own campaign-level row for the day when there is one; otherwise the
-- sum of its ad set rows; otherwise the sum of its ad rows (from_level says which, rows_summed
-- how many). Levels are never mixed, so nothing is counted twice.
-- * A sum is over the rows that report the figure; NULL when none does.
-- * reach and frequency are unique people, which do not add up: they are the campaign row's own
--   and NULL when the day was summed from ad sets or ads.
-- * campaign_name: the campaign row's entity_name (NULL when summed from lower levels).
-- * reachops_campaign_id, creator_id: the link shared by every row that has one; NULL when no
--   row has one or the rows disagree.
-- Queries/ad_daily_series.sql and paid_kpis_platform_daily choose rows the same way.
CREATE OR REPLACE VIEW reachops.paid_kpis_campaign_daily AS
WITH ranked AS (
  SELECT
    *,
    CASE level WHEN 'campaign' THEN 1 WHEN 'adset' THEN 2 WHEN 'ad' THEN 3 END AS level_rank
  FROM reachops.ad_insights_daily
),

chosen AS (
  SELECT *
  FROM ranked
  WHERE TRUE
  QUALIFY level_rank = MIN(level_rank) OVER (
    PARTITION BY org_id, platform, account_id, campaign_id, date
  )
),

campaign_day AS (
  SELECT
    org_id,
    platform,
    account_id,
    campaign_id,
    date,
    currency,
    MIN(level) AS from_level,
    COUNT(*) AS rows_summed,
    IF(MIN(level) = 'campaign', MIN(entity_name), NULL) AS campaign_name,
    IF(
      COUNT(DISTINCT reachops_campaign_id) = 1, MIN(reachops_campaign_id), NULL
    ) AS reachops_campaign_id,
    IF(COUNT(DISTINCT creator_id) = 1, MIN(creator_id), NULL) AS creator_id,
    SUM(spend_micros) AS spend_micros,
    SUM(impressions) AS impressions,
    IF(MIN(level) = 'campaign', MIN(reach), NULL) AS reach,
    IF(
      MIN(level) = 'campaign',
      COALESCE(MIN(frequency), SAFE_DIVIDE(MIN(impressions), MIN(reach))),
      NULL
    ) AS frequency,
    SUM(clicks) AS clicks,
    SUM(link_clicks) AS link_clicks,
    SUM(conversions) AS conversions,
    SUM(conversion_value_micros) AS conversion_value_micros,
    SUM(engagements) AS engagements,
    SUM(video_p25) AS video_p25,
    SUM(video_p50) AS video_p50,
    SUM(video_p75) AS video_p75,
    SUM(video_p100) AS video_p100,
    MAX(synced_at) AS synced_at
  FROM chosen
  GROUP BY org_id, platform, account_id, campaign_id, date, currency
)

SELECT
  org_id,
  platform,
  account_id,
  campaign_id,
  campaign_name,
  reachops_campaign_id,
  creator_id,
  date,
  currency,
  from_level,
  rows_summed,
  spend_micros,
  spend_micros / 1000000 AS spend,
  impressions,
  reach,
  clicks,
  link_clicks,
  conversions,
  conversion_value_micros,
  conversion_value_micros / 1000000 AS conversion_value,
  engagements,
  video_p25,
  video_p50,
  video_p75,
  video_p100,
  frequency,
  SAFE_DIVIDE(spend_micros, impressions) / 1000 AS cpm,
  SAFE_DIVIDE(spend_micros, clicks) / 1000000 AS cpc,
  SAFE_DIVIDE(spend_micros, link_clicks) / 1000000 AS cost_per_link_click,
  SAFE_DIVIDE(clicks, impressions) AS ctr,
  SAFE_DIVIDE(link_clicks, impressions) AS link_ctr,
  SAFE_DIVIDE(spend_micros, conversions) / 1000000 AS cpa,
  SAFE_DIVIDE(conversion_value_micros, spend_micros) AS roas,
  SAFE_DIVIDE(spend_micros, engagements) / 1000000 AS cpe,
  synced_at
FROM campaign_day;
