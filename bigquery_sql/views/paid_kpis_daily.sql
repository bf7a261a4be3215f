-- One row per ad_insights_daily row and attribution window: a campaign, ad set or ad (level,
-- entity_id) of an ad account on one day, with its delivery KPIs, and its conversions, CPA and ROAS
-- under attribution_window ('default': Meta's figure for the account's attribution setting; or a
-- window the sync asked for, e.g. '7d_click': see paid_conversion_windows). Filter on level to get
-- the ad, ad set or campaign grain and on attribution_window to get one figure per row; never add
-- rows of different levels or windows together.
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
  d.org_id,
  d.platform,
  d.account_id,
  d.level,
  d.entity_id,
  d.entity_name,
  d.campaign_id,
  d.adset_id,
  d.ad_id,
  d.reachops_campaign_id,
  d.creator_id,
  d.date,
  w.attribution_window,
  d.currency,
  d.spend_micros,
  d.spend_micros / 1000000 AS spend,
  d.impressions,
  d.reach,
  d.clicks,
  d.link_clicks,
  w.conversions,
  w.conversion_value_micros,
  w.conversion_value_micros / 1000000 AS conversion_value,
  d.engagements,
  d.video_p25,
  d.video_p50,
  d.video_p75,
  d.video_p100,
  COALESCE(d.frequency, SAFE_DIVIDE(d.impressions, d.reach)) AS frequency,
  SAFE_DIVIDE(d.spend_micros, d.impressions) / 1000 AS cpm,
  SAFE_DIVIDE(d.spend_micros, d.clicks) / 1000000 AS cpc,
  SAFE_DIVIDE(d.spend_micros, d.link_clicks) / 1000000 AS cost_per_link_click,
  SAFE_DIVIDE(d.clicks, d.impressions) AS ctr,
  SAFE_DIVIDE(d.link_clicks, d.impressions) AS link_ctr,
  SAFE_DIVIDE(d.spend_micros, w.conversions) / 1000000 AS cpa,
  SAFE_DIVIDE(w.conversion_value_micros, d.spend_micros) AS roas,
  SAFE_DIVIDE(d.spend_micros, d.engagements) / 1000000 AS cpe,
  d.attribution_windows,
  d.source,
  d.synced_at
FROM reachops.ad_insights_daily AS d
JOIN reachops.paid_conversion_windows AS w
  ON w.org_id = d.org_id
  AND w.platform = d.platform
  AND w.account_id = d.account_id
  AND w.level = d.level
  AND w.entity_id = d.entity_id
  AND w.date = d.date;
