-- One row per ad_breakdowns_daily row (an entity's day, split by one breakdown), with the same
-- KPIs as paid_kpis_daily (the functions of bigquery_sql/functions/paid_kpis.sql). Filter on
-- breakdown and level; add segments up only within one breakdown and one level. Cost KPIs are
-- FLOAT64 in MAJOR units of currency; a zero or NULL denominator gives NULL, never 0.
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
  reachops.kpi_cpm(spend_micros, impressions) AS cpm,
  reachops.kpi_cpc(spend_micros, clicks) AS cpc,
  reachops.kpi_cost_per_link_click(spend_micros, link_clicks) AS cost_per_link_click,
  reachops.kpi_ctr(clicks, impressions) AS ctr,
  reachops.kpi_link_ctr(link_clicks, impressions) AS link_ctr,
  reachops.kpi_cpa(spend_micros, conversions) AS cpa,
  reachops.kpi_roas(conversion_value_micros, spend_micros) AS roas,
  attribution_windows,
  synced_at
FROM reachops.ad_breakdowns_daily;
