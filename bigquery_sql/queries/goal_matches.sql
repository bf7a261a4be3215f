-- One goal's matches over a range of UTC days (@from_date..@to_date, both included): count and
-- value per currency (the row with currency NULL counts matches without a value).
SELECT
  currency,
  COUNT(*) AS conversions,
  SUM(value_micros) AS value_micros
FROM reachops.goal_conversions
WHERE DATE(occurred_at) BETWEEN @from_date AND @to_date
  AND org_id = @org_id
  AND goal_id = @goal_id
GROUP BY currency
ORDER BY currency
