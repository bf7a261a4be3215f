-- One row per ad_insights_daily row and attribution window: a campaign, ad set or ad (level,
-- entity_id) of an ad account on one day, with its delivery KPIs, and its conversions, CPA and ROAS
-- under attribution_window ('default': Meta's figure under each ad set's own setting; or a
-- window the sync asked for, e.g. '7d_click': see paid_conversion_windows). Filter on level to get
-- the ad, ad set or campaign grain and on attribution_window to get one figure per row; never add
-- rows of different levels or windows together.
-- paid_kpis_campaign_daily and paid_kpis_platform_daily roll the days up per campaign and per
-- platform.
--
-- Money: spend_micros and conversion_value_micros are exact integers of micros of currency;
-- spend, conversion_value and the cost KPIs (cpm, cpc, cost_per_link_click, cpa, cpe) are in
-- MAJOR units of currency as FLOAT64 (for reading, not for adding up). Every KPI is one of the
-- functions of bigquery_sql/functions/paid_kpis.sql (reachops.kpi_<name>), the one definition
-- the other paid views, the API's queries and the API's replies share. A KPI is NULL when its
-- denominator is 0 or NULL or its numerator is NULL: a NULL is "cannot be computed", never 0.
--
-- Settings: status, effective_status, objective, daily_budget_micros, lifetime_budget_micros,
-- bid_strategy and, on ad rows, creative_id and creative_thumbnail_url are the row's own object's
-- current settings (views/paid_objects_current.sql: today's, not the day's; an ad set or ad gets
-- its campaign's objective); NULL before the first sync that reads them, and budgets NULL where
-- the budget is set at the other level (campaign budget vs ad set budget).
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
  reachops.kpi_frequency(d.frequency, d.impressions, d.reach) AS frequency,
  reachops.kpi_cpm(d.spend_micros, d.impressions) AS cpm,
  reachops.kpi_cpc(d.spend_micros, d.clicks) AS cpc,
  reachops.kpi_cost_per_link_click(d.spend_micros, d.link_clicks) AS cost_per_link_click,
  reachops.kpi_ctr(d.clicks, d.impressions) AS ctr,
  reachops.kpi_link_ctr(d.link_clicks, d.impressions) AS link_ctr,
  reachops.kpi_cpa(d.spend_micros, w.conversions) AS cpa,
  reachops.kpi_roas(w.conversion_value_micros, d.spend_micros) AS roas,
  reachops.kpi_cpe(d.spend_micros, d.engagements) AS cpe,
  o.status,
  o.effective_status,
  o.objective,
  o.daily_budget_micros,
  o.lifetime_budget_micros,
  o.bid_strategy,
  o.creative_id,
  o.creative_thumbnail_url,
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
  AND w.date = d.date
LEFT JOIN reachops.paid_objects_current AS o
  ON o.org_id = d.org_id
  AND o.platform = d.platform
  AND o.account_id = d.account_id
  AND o.level = d.level
  AND o.object_id = d.entity_id;
