-- Per platform campaign of one ad account, totals over @since..@until (DATEs, included): the
-- input of the KPI table (shared/paid/kpi_table.py).
-- * Delivery: each campaign-day from the level views/paid_answering_rows.sql chooses.
-- * Conversions under @attribution_window (views/paid_conversion_windows.sql), summed over the
--   chosen rows: a figure only when every row has one for the window (rows_with_window =
--   rows_summed), else NULL, so a window the account's syncs did not always ask for shows as
--   incomplete rather than as a smaller sum.
-- * reach and frequency: the campaign's range report for exactly @since..@until
--   (ad_insights_range), never a sum of daily reach; NULL when no range report covers it.
-- * cpm, cpc, cost_per_link_click, ctr, link_ctr, cpa, roas, cpe, frequency: the functions of
--   bigquery_sql/functions/paid_kpis.sql over those totals (the API's KPIs, as they are here).
-- * status, objective, budgets and bid strategy: the campaign's current settings
--   (views/paid_objects_current.sql, read at each sync); NULL before its first sync.
WITH chosen AS (
  SELECT *
  FROM reachops.paid_answering_rows
  WHERE org_id = @org_id
    AND account_id = @account_id
    AND date BETWEEN @since AND @until
),

figures AS (
  SELECT *
  FROM reachops.paid_conversion_windows
  WHERE org_id = @org_id
    AND account_id = @account_id
    AND date BETWEEN @since AND @until
    AND attribution_window = @attribution_window
),

totals AS (
  SELECT
    c.org_id,
    c.platform,
    c.account_id,
    c.campaign_id,
    ANY_VALUE(IF(c.level = 'campaign', c.entity_name, NULL)) AS campaign_name,
    ANY_VALUE(c.currency) AS currency,
    ANY_VALUE(c.reachops_campaign_id) AS reachops_campaign_id,
    ANY_VALUE(c.creator_id) AS creator_id,
    MIN(c.level) AS from_level,
    COUNT(DISTINCT c.date) AS days,
    COUNT(*) AS rows_summed,
    COUNT(f.attribution_window) AS rows_with_window,
    SUM(c.spend_micros) AS spend_micros,
    SUM(c.impressions) AS impressions,
    SUM(c.clicks) AS clicks,
    SUM(c.link_clicks) AS link_clicks,
    IF(COUNT(f.attribution_window) = COUNT(*), SUM(f.conversions), NULL) AS conversions,
    IF(
      COUNT(f.attribution_window) = COUNT(*), SUM(f.conversion_value_micros), NULL
    ) AS conversion_value_micros,
    SUM(c.engagements) AS engagements
  FROM chosen AS c
  LEFT JOIN figures AS f
    ON f.platform = c.platform
    AND f.level = c.level
    AND f.entity_id = c.entity_id
    AND f.date = c.date
  GROUP BY c.org_id, c.platform, c.account_id, c.campaign_id
)

SELECT
  t.platform,
  t.account_id,
  t.campaign_id,
  COALESCE(t.campaign_name, r.entity_name) AS campaign_name,
  t.currency,
  t.reachops_campaign_id,
  t.creator_id,
  t.from_level,
  t.days,
  t.rows_summed,
  t.rows_with_window,
  t.spend_micros,
  t.impressions,
  t.clicks,
  t.link_clicks,
  t.conversions,
  t.conversion_value_micros,
  t.engagements,
  r.reach,
  reachops.kpi_frequency(r.frequency, t.impressions, r.reach) AS frequency,
  r.synced_at AS range_synced_at,
  reachops.kpi_cpm(t.spend_micros, t.impressions) AS cpm,
  reachops.kpi_cpc(t.spend_micros, t.clicks) AS cpc,
  reachops.kpi_cost_per_link_click(t.spend_micros, t.link_clicks) AS cost_per_link_click,
  reachops.kpi_ctr(t.clicks, t.impressions) AS ctr,
  reachops.kpi_link_ctr(t.link_clicks, t.impressions) AS link_ctr,
  reachops.kpi_cpa(t.spend_micros, t.conversions) AS cpa,
  reachops.kpi_roas(t.conversion_value_micros, t.spend_micros) AS roas,
  reachops.kpi_cpe(t.spend_micros, t.engagements) AS cpe,
  o.status,
  o.effective_status,
  o.objective,
  o.daily_budget_micros,
  o.lifetime_budget_micros,
  o.bid_strategy
FROM totals AS t
LEFT JOIN reachops.ad_insights_range AS r
  ON r.org_id = t.org_id
  AND r.platform = t.platform
  AND r.account_id = t.account_id
  AND r.level = 'campaign'
  AND r.entity_id = t.campaign_id
  AND r.since = @since
  AND r.until = @until
LEFT JOIN reachops.paid_objects_current AS o
  ON o.org_id = t.org_id
  AND o.platform = t.platform
  AND o.account_id = t.account_id
  AND o.level = 'campaign'
  AND o.object_id = t.campaign_id
ORDER BY t.spend_micros DESC, t.campaign_id;
