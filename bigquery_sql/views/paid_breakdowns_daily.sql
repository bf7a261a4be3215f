-- One row per ad_breakdowns_daily row (an entity's day, split by one breakdown), with the same
-- KPIs as paid_kpis_daily. Filter on breakdown and level; add segments up only within one
-- breakdown and one level. Cost KPIs are FLOAT64 in MAJOR units of currency; a zero or NULL
-- denominator gives NULL (SAFE_DIVIDE), never 0.
CREATE OR REPLACE VIEW reachops.paid_breakdowns_daily AS
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
  date,
  breakdown,
  segment,
  age,
  gender,
  country,
  publisher_platform,
  platform_position,
  device_platform,
  currency,
  spend_micros,
  spend_micros / 1000000 AS spend,
  impressions,
  reach,
  clicks,
  link_clicks,
  conversions,
  conversion_value_micros,
  SAFE_DIVIDE(spend_micros, impressions) / 1000 AS cpm,
  SAFE_DIVIDE(spend_micros, clicks) / 1000000 AS cpc,
  SAFE_DIVIDE(clicks, impressions) AS ctr,
  SAFE_DIVIDE(link_clicks, impressions) AS link_ctr,
  SAFE_DIVIDE(spend_micros, conversions) / 1000000 AS cpa,
  SAFE_DIVIDE(conversion_value_micros, spend_micros) AS roas,
  attribution_windows,
  synced_at
FROM reachops.ad_breakdowns_daily;
