-- Spend of one ad account's campaigns on @day and in @day's month to date (campaign level).
SELECT
  entity_id AS campaign_id,
  ANY_VALUE(entity_name) AS campaign_name,
  ANY_VALUE(currency) AS currency,
  SUM(IF(date = @day, spend_micros, 0)) AS day_spend_micros,
  SUM(spend_micros) AS month_spend_micros
FROM reachops.ad_insights_daily
WHERE org_id = @org_id
  AND account_id = @account_id
  AND level = 'campaign'
  AND date BETWEEN @month_start AND @day
GROUP BY entity_id;
