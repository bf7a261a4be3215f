-- A person's journey from @from_date to @to_date (UTC days) summed per event, stage, channel
-- and currency (reachops.journey_events): counts, first and last time, and the value carried
-- (purchases' micros per currency). The customer profile's journey summary and value.
SELECT
  event,
  stage,
  channel,
  currency,
  COUNT(*) AS events,
  MIN(occurred_at) AS first_at,
  MAX(occurred_at) AS last_at,
  SUM(value_micros) AS value_micros
FROM reachops.journey_events
WHERE DATE(occurred_at) BETWEEN @from_date AND @to_date
  AND org_id = @org_id
  AND person_id = @person_id
GROUP BY event, stage, channel, currency
ORDER BY event, stage, channel, currency
