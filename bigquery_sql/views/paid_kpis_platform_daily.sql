-- One row per organization, platform, day, currency and attribution window: the platform's paid
-- delivery that day over all its ad accounts in that currency (no exchange rate is applied, so
-- accounts in other currencies get their own row), with the KPIs of paid_kpis_daily (the same
-- functions of bigquery_sql/functions/paid_kpis.sql, same units: cost KPIs in MAJOR units of
-- currency as FLOAT64, exact money in *_micros; NULL when a denominator is 0 or unknown).
--
-- It adds up paid_kpis_campaign_daily, so each campaign counts once per day and window, from
-- the level paid_answering_rows chooses. Under a window other than 'default' only the campaigns
-- with figures for it are in the row (`campaigns` counts them). Sums are over the campaigns that
-- report the figure; NULL when none does. There is no reach or frequency: unique people do not
-- add up across campaigns.
CREATE OR REPLACE VIEW reachops.paid_kpis_platform_daily AS
WITH platform_day AS (
  SELECT
    org_id,
    platform,
    date,
    attribution_window,
    currency,
    COUNT(DISTINCT account_id) AS accounts,
    COUNT(DISTINCT CONCAT(account_id, '/', campaign_id)) AS campaigns,
    SUM(spend_micros) AS spend_micros,
    SUM(impressions) AS impressions,
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
  FROM reachops.paid_kpis_campaign_daily
  GROUP BY org_id, platform, date, attribution_window, currency
)

SELECT
  org_id,
  platform,
  date,
  attribution_window,
  currency,
  accounts,
  campaigns,
  spend_micros,
  spend_micros / 1000000 AS spend,
  impressions,
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
  reachops.kpi_cpm(spend_micros, impressions) AS cpm,
  reachops.kpi_cpc(spend_micros, clicks) AS cpc,
  reachops.kpi_cost_per_link_click(spend_micros, link_clicks) AS cost_per_link_click,
  reachops.kpi_ctr(clicks, impressions) AS ctr,
  reachops.kpi_link_ctr(link_clicks, impressions) AS link_ctr,
  reachops.kpi_cpa(spend_micros, conversions) AS cpa,
  reachops.kpi_roas(conversion_value_micros, spend_micros) AS roas,
  reachops.kpi_cpe(spend_micros, engagements) AS cpe,
  synced_at
FROM platform_day;
