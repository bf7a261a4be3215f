-- A ReachOps campaign's linked Meta campaigns over @from_day..@to_day (DATEs, included), one row
-- per Meta campaign and currency: delivery totals of paid_kpis_campaign_daily under the
-- 'default' attribution window and the KPIs of bigquery_sql/functions/paid_kpis.sql over them
-- (cost KPIs in major units of the currency; NULL when a denominator is 0 or unknown). reach and
-- frequency are NULL: unique people do not add up over days.
WITH totals AS (
  SELECT
    campaign_id,
    ANY_VALUE(campaign_name) AS campaign_name,
    currency,
    COUNT(DISTINCT date) AS days,
    SUM(spend_micros) AS spend_micros,
    SUM(impressions) AS impressions,
    SUM(clicks) AS clicks,
    SUM(link_clicks) AS link_clicks,
    SUM(conversions) AS conversions,
    SUM(conversion_value_micros) AS conversion_value_micros,
    SUM(engagements) AS engagements
  FROM reachops.paid_kpis_campaign_daily
  WHERE org_id = @org_id
    AND reachops_campaign_id = @campaign_id
    AND attribution_window = 'default'
    AND date BETWEEN @from_day AND @to_day
  GROUP BY campaign_id, currency
)

SELECT
  campaign_id,
  campaign_name,
  currency,
  days,
  spend_micros,
  impressions,
  clicks,
  link_clicks,
  conversions,
  conversion_value_micros,
  engagements,
  CAST(NULL AS INT64) AS reach,
  reachops.kpi_cpm(spend_micros, impressions) AS cpm,
  reachops.kpi_cpc(spend_micros, clicks) AS cpc,
  reachops.kpi_cost_per_link_click(spend_micros, link_clicks) AS cost_per_link_click,
  reachops.kpi_ctr(clicks, impressions) AS ctr,
  reachops.kpi_link_ctr(link_clicks, impressions) AS link_ctr,
  reachops.kpi_cpa(spend_micros, conversions) AS cpa,
  reachops.kpi_roas(conversion_value_micros, spend_micros) AS roas,
  reachops.kpi_cpe(spend_micros, engagements) AS cpe,
  reachops.kpi_frequency(CAST(NULL AS FLOAT64), impressions, CAST(NULL AS INT64)) AS frequency
FROM totals
ORDER BY campaign_id, currency;
