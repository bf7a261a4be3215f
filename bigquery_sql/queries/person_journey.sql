-- One person's journey over a range of UTC days (@from_date..@to_date, both included), newest
-- first, at most @max_events rows (the caller asks one more than it shows, to know whether
-- older ones were left out). Their linked visitors' events are in it (journey_events).
SELECT
  occurred_at,
  event,
  stage,
  channel,
  source_id,
  visitor_id,
  value_micros,
  currency
FROM reachops.journey_events
WHERE DATE(occurred_at) BETWEEN @from_date AND @to_date
  AND org_id = @org_id
  AND person_id = @person_id
ORDER BY occurred_at DESC, source_id DESC
LIMIT @max_events
