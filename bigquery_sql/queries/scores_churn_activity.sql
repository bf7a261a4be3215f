-- Per person with journey events from @since (DATE) to @as_of (TIMESTAMP): their latest event,
-- and their events in the recent window (from @recent_from, a DATE) and in the prior window of
-- the same length before it (from @prior_from): the recency and frequency-trend inputs of
-- churn risk. @since reaches further back than the windows, so a person gone quiet long ago
-- still has a last event (and a risk).
SELECT
  person_id,
  MAX(occurred_at) AS last_event_at,
  COUNTIF(DATE(occurred_at) >= @recent_from) AS recent_events,
  COUNTIF(DATE(occurred_at) >= @prior_from AND DATE(occurred_at) < @recent_from) AS prior_events
FROM reachops.journey_events
WHERE DATE(occurred_at) BETWEEN @since AND DATE(@as_of)
  AND org_id = @org_id
  AND person_id IS NOT NULL
  AND occurred_at <= @as_of
GROUP BY person_id
ORDER BY person_id
