-- One row per platform campaign, day and attribution window (org_id, platform, account_id,
-- campaign_id, date, attribution_window), with the KPIs of paid_kpis_daily (the same functions of
-- bigquery_sql/functions/paid_kpis.sql, same units: cost KPIs in MAJOR units of currency as
-- FLOAT64, exact money in *_micros; NULL when a denominator is 0 or unknown).
--
-- Which rows: those of paid_answering_rows, the one rule for which level answers (the campaign's
-- own row, else its ad sets, else its ads; from_level says which, rows_summed how many). Levels
-- are never mixed, so nothing is counted twice.
-- * attribution_window: every window stored for any of the day's rows ('default' always). The
--   delivery columns are the same in each; conversions, conversion_value, cpa and roas are the
--   window's, summed over the rows that have a figure for it (rows_with_window of rows_summed).
-- * A sum is over the rows that report the figure; NULL when none does.
-- * reach and frequency are unique people, which do not add up: they are the campaign row's own
--   and NULL when the day was summed from ad sets or ads. Reach over a date range is in
--   ad_insights_range (a range report), never a sum of days.
-- * campaign_name: the campaign row's entity_name, else the campaign's name in its current
--   settings (paid_objects_current); NULL when neither is known.
-- * status, effective_status, objective, daily_budget_micros, lifetime_budget_micros,
--   bid_strategy: the campaign's current settings (paid_objects_current: today's, not the
--   day's); NULL before the first sync that reads them.
-- * reachops_campaign_id, creator_id: the link shared by every row that has one; NULL when no
--   row has one or the rows disagree.
CREATE OR REPLACE VIEW reachops.paid_kpis_campaign_daily AS
WITH day_windows AS (
  SELECT DISTINCT
    a.org_id,
    a.platform,
    a.account_id,
    a.campaign_id,
    a.date,
    w.attribution_window
  FROM reachops.paid_answering_rows AS a
  JOIN reachops.paid_conversion_windows AS w
    ON w.org_id = a.org_id
    AND w.platform = a.platform
    AND w.account_id = a.account_id
    AND w.level = a.level
    AND w.entity_id = a.entity_id
    AND w.date = a.date
),

campaign_day AS (
  SELECT
    a.org_id,
    a.platform,
    a.account_id,
    a.campaign_id,
    a.date,
    dw.attribution_window,
    a.currency,
    MIN(a.level) AS from_level,
    COUNT(*) AS rows_summed,
    COUNT(w.attribution_window) AS rows_with_window,
    IF(MIN(a.level) = 'campaign', MIN(a.entity_name), NULL) AS campaign_name,
    IF(
      COUNT(DISTINCT a.reachops_campaign_id) = 1, MIN(a.reachops_campaign_id), NULL
    ) AS reachops_campaign_id,
    IF(COUNT(DISTINCT a.creator_id) = 1, MIN(a.creator_id), NULL) AS creator_id,
    SUM(a.spend_micros) AS spend_micros,
    SUM(a.impressions) AS impressions,
    IF(MIN(a.level) = 'campaign', MIN(a.reach), NULL) AS reach,
    IF(
      MIN(a.level) = 'campaign',
      reachops.kpi_frequency(MIN(a.frequency), MIN(a.impressions), MIN(a.reach)),
      NULL
    ) AS frequency,
    SUM(a.clicks) AS clicks,
    SUM(a.link_clicks) AS link_clicks,
    SUM(w.conversions) AS conversions,
    SUM(w.conversion_value_micros) AS conversion_value_micros,
    SUM(a.engagements) AS engagements,
    SUM(a.video_p25) AS video_p25,
    SUM(a.video_p50) AS video_p50,
    SUM(a.video_p75) AS video_p75,
    SUM(a.video_p100) AS video_p100,
    MAX(a.synced_at) AS synced_at
  FROM reachops.paid_answering_rows AS a
  JOIN day_windows AS dw
    ON dw.org_id = a.org_id
    AND dw.platform = a.platform
    AND dw.account_id = a.account_id
    AND dw.campaign_id = a.campaign_id
    AND dw.date = a.date
  LEFT JOIN reachops.paid_conversion_windows AS w
    ON w.org_id = a.org_id
    AND w.platform = a.platform
    AND w.account_id = a.account_id
    AND w.level = a.level
    AND w.entity_id = a.entity_id
    AND w.date = a.date
    AND w.attribution_window = dw.attribution_window
  GROUP BY
    a.org_id, a.platform, a.account_id, a.campaign_id, a.date, dw.attribution_window, a.currency
)

SELECT
  c.org_id,
  c.platform,
  c.account_id,
  c.campaign_id,
  COALESCE(c.campaign_name, o.name) AS campaign_name,
  c.reachops_campaign_id,
  c.creator_id,
  c.date,
  c.attribution_window,
  c.currency,
  c.from_level,
  c.rows_summed,
  c.rows_with_window,
  c.spend_micros,
  c.spend_micros / 1000000 AS spend,
  c.impressions,
  c.reach,
  c.clicks,
  c.link_clicks,
  c.conversions,
  c.conversion_value_micros,
  c.conversion_value_micros / 1000000 AS conversion_value,
  c.engagements,
  c.video_p25,
  c.video_p50,
  c.video_p75,
  c.video_p100,
  c.frequency,
  reachops.kpi_cpm(c.spend_micros, c.impressions) AS cpm,
  reachops.kpi_cpc(c.spend_micros, c.clicks) AS cpc,
  reachops.kpi_cost_per_link_click(c.spend_micros, c.link_clicks) AS cost_per_link_click,
  reachops.kpi_ctr(c.clicks, c.impressions) AS ctr,
  reachops.kpi_link_ctr(c.link_clicks, c.impressions) AS link_ctr,
  reachops.kpi_cpa(c.spend_micros, c.conversions) AS cpa,
  reachops.kpi_roas(c.conversion_value_micros, c.spend_micros) AS roas,
  reachops.kpi_cpe(c.spend_micros, c.engagements) AS cpe,
  o.status,
  o.effective_status,
  o.objective,
  o.daily_budget_micros,
  o.lifetime_budget_micros,
  o.bid_strategy,
  c.synced_at
FROM campaign_day AS c
LEFT JOIN reachops.paid_objects_current AS o
  ON o.org_id = c.org_id
  AND o.platform = c.platform
  AND o.account_id = c.account_id
  AND o.level = 'campaign'
  AND o.object_id = c.campaign_id;
