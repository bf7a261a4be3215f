-- The paid campaigns linked to one creator, most recently active first, each campaign-day from
-- the level views/paid_answering_rows.sql chooses; cpe is the paid KPI function
-- (bigquery_sql/functions/paid_kpis.sql) over the campaign's sums.
SELECT
  platform,
  account_id,
  campaign_id,
  ANY_VALUE(IF(level = 'campaign', entity_name, NULL)) AS campaign_name,
  ANY_VALUE(currency) AS currency,
  MAX(IF(COALESCE(spend_micros, 0) > 0 OR COALESCE(impressions, 0) > 0, date, NULL))
    AS last_active_date,
  MIN(date) AS first_date,
  SUM(spend_micros) AS spend_micros,
  SUM(impressions) AS impressions,
  SUM(engagements) AS engagements,
  reachops.kpi_cpe(SUM(spend_micros), SUM(engagements)) AS cpe
FROM reachops.paid_answering_rows
WHERE org_id = @org_id
  AND creator_id = @creator_id
GROUP BY platform, account_id, campaign_id
HAVING last_active_date IS NOT NULL
ORDER BY last_active_date DESC, campaign_id
LIMIT 5;
