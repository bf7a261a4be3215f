-- Each person's purchases from @since_date to @until_date (UTC days) summed per day and
-- currency (reachops.journey_events' purchase rows with a person): the transactions the
-- lifetime-value models take (a day with purchases is one transaction, as in the BG/NBD paper).
-- value_micros NULL when none of the day's purchases carried a value.
SELECT
  person_id,
  DATE(occurred_at) AS day,
  currency,
  SUM(value_micros) AS value_micros
FROM reachops.journey_events
WHERE DATE(occurred_at) BETWEEN @since_date AND @until_date
  AND org_id = @org_id
  AND event = 'purchase'
  AND person_id IS NOT NULL
GROUP BY person_id, day, currency
ORDER BY person_id, day, currency
