-- One ad account's breakdown segments over @since..@until (account days, both included) at
-- @level, optionally for one object (@object_id: the entity itself, or the campaign or ad set it
-- belongs to). reach is kept only where a segment is one entity on one day (it does not add up).
-- The KPIs of the API's reply (cpm, cpc, ctr, cpa, roas) are the functions of bigquery_sql/functions/paid_kpis.sql
-- over the segment's sums.
WITH segments AS (
  SELECT
    segment,
    ANY_VALUE(age) AS age,
    ANY_VALUE(gender) AS gender,
    ANY_VALUE(country) AS country,
    ANY_VALUE(publisher_platform) AS publisher_platform,
    ANY_VALUE(platform_position) AS platform_position,
    ANY_VALUE(device_platform) AS device_platform,
    ANY_VALUE(currency) AS currency,
    COUNT(DISTINCT date) AS days,
    SUM(spend_micros) AS spend_micros,
    SUM(impressions) AS impressions,
    IF(COUNT(*) = 1, ANY_VALUE(reach), NULL) AS reach,
    SUM(clicks) AS clicks,
    SUM(link_clicks) AS link_clicks,
    SUM(conversions) AS conversions,
    SUM(conversion_value_micros) AS conversion_value_micros
  FROM reachops.ad_breakdowns_daily
  WHERE org_id = @org_id
    AND account_id = @account_id
    AND breakdown = @breakdown
    AND level = @level
    AND date BETWEEN @since AND @until
    AND (@object_id IS NULL OR entity_id = @object_id OR campaign_id = @object_id
         OR adset_id = @object_id)
  GROUP BY segment
)

SELECT
  *,
  reachops.kpi_cpm(spend_micros, impressions) AS cpm,
  reachops.kpi_cpc(spend_micros, clicks) AS cpc,
  reachops.kpi_ctr(clicks, impressions) AS ctr,
  reachops.kpi_cpa(spend_micros, conversions) AS cpa,
  reachops.kpi_roas(conversion_value_micros, spend_micros) AS roas
FROM segments
ORDER BY spend_micros DESC, segment;
