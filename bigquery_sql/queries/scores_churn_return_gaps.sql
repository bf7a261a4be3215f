-- The organization's return gaps from @since (DATE) to @as_of (TIMESTAMP): for each person,
-- the days between consecutive UTC days with a journey event, counted by length. Churn risk's
-- recency compares a person's silence with them (how long this organization's people stay
-- away before they come back).
WITH active_days AS (
  SELECT DISTINCT person_id, DATE(occurred_at) AS day
  FROM reachops.journey_events
  WHERE DATE(occurred_at) BETWEEN @since AND DATE(@as_of)
    AND org_id = @org_id
    AND person_id IS NOT NULL
    AND occurred_at <= @as_of
),
gaps AS (
  SELECT DATE_DIFF(day, LAG(day) OVER (PARTITION BY person_id ORDER BY day), DAY) AS gap_days
  FROM active_days
)
SELECT gap_days, COUNT(*) AS gaps
FROM gaps
WHERE gap_days IS NOT NULL
GROUP BY gap_days
ORDER BY gap_days
