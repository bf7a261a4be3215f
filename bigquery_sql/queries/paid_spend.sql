-- Spend of one ad account's campaigns on @day and in @day's month to date, each campaign-day
-- from the level views/paid_answering_rows.sql chooses (so an account reporting only ad sets or
-- ads is checked too). campaign_name falls back to the campaign id when no campaign row names it.
SELECT
  campaign_id,
  COALESCE(ANY_VALUE(IF(level = 'campaign', entity_name, NULL)), campaign_id) AS campaign_name,
  ANY_VALUE(currency) AS currency,
  SUM(IF(date = @day, spend_micros, 0)) AS day_spend_micros,
  SUM(spend_micros) AS month_spend_micros
FROM reachops.paid_answering_rows
WHERE org_id = @org_id
  AND account_id = @account_id
  AND date BETWEEN @month_start AND @day
GROUP BY campaign_id;
