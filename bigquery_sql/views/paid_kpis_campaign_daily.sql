-- One row per platform campaign, day and attribution window (org_id, platform, account_id,
-- campaign_id, date, attribution_window), with the KPIs of paid_kpis_daily (same formulas, same
-- units: cost KPIs in MAJOR units of currency as FLOAT64, exact money in *_micros; NULL when a
-- denominator is 0 or unknown).
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
-- * campaign_name: the campaign row's entity_name (NULL when summed from lower levels).
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
      COALESCE(MIN(a.frequency), SAFE_DIVIDE(MIN(a.impressions), MIN(a.reach))),
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
  org_id,
  platform,
  account_id,
  campaign_id,
  campaign_name,
  reachops_campaign_id,
  creator_id,
  date,
  attribution_window,
  currency,
  from_level,
  rows_summed,
  rows_with_window,
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
