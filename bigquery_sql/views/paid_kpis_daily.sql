-- One row per ad_insights_daily row: a campaign, ad set or ad (level, entity_id) of an ad account
-- on one day, with its delivery KPIs. Filter on level to get the ad, ad set or campaign grain;
-- never add rows of different levels together (each level reports the same delivery).
-- paid_kpis_campaign_daily and paid_kpis_platform_daily roll the days up per campaign and per
-- platform.
--
-- Money: spend_micros and conversion_value_micros are exact integers of micros of currency;
-- spend, conversion_value and the cost KPIs (cpm, cpc, cost_per_link_click, cpa, cpe) are in
-- MAJOR units of currency as FLOAT64 (for reading, not for adding up). shared/paid/kpis.py
-- computes the same KPIs for the API:
--   cpm                 = spend / impressions * 1000
--   cpc                 = spend / clicks (all clicks)
--   cost_per_link_click = spend / link_clicks
--   ctr                 = clicks / impressions (a fraction: 0.01 = 1 %)
--   link_ctr            = link_clicks / impressions
--   cpa                 = spend / conversions
--   roas                = conversion_value / spend (same currency, so a plain ratio)
--   cpe                 = spend / engagements
--   frequency           = the platform's frequency, else impressions / reach
-- A KPI is NULL when its denominator is 0 or NULL or its numerator is NULL (SAFE_DIVIDE): a
-- NULL is "cannot be computed", never 0.
CREATE OR REPLACE VIEW reachops.paid_kpis_daily AS
SELECT
  org_id,
  platform,
  account_id,
  level,
  entity_id,
  entity_name,
  campaign_id,
  adset_id,
  ad_id,
  reachops_campaign_id,
  creator_id,
  date,
  currency,
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
  COALESCE(frequency, SAFE_DIVIDE(impressions, reach)) AS frequency,
  SAFE_DIVIDE(spend_micros, impressions) / 1000 AS cpm,
  SAFE_DIVIDE(spend_micros, clicks) / 1000000 AS cpc,
  SAFE_DIVIDE(spend_micros, link_clicks) / 1000000 AS cost_per_link_click,
  SAFE_DIVIDE(clicks, impressions) AS ctr,
  SAFE_DIVIDE(link_clicks, impressions) AS link_ctr,
  SAFE_DIVIDE(spend_micros, conversions) / 1000000 AS cpa,
  SAFE_DIVIDE(conversion_value_micros, spend_micros) AS roas,
  SAFE_DIVIDE(spend_micros, engagements) / 1000000 AS cpe,
  attribution_windows,
  source,
  synced_at
FROM reachops.ad_insights_daily;
