-- Ratings of reachops.feedback from @from_date to @to_date (UTC days, both included), counted
-- per day, scale and rating; shared/scores/nps_service.py buckets the days (week, month) and
-- applies shared/insights/nps.py. @segment_id (NULL: everyone) keeps the ratings of the
-- segment's current members (reachops.segment_members).
SELECT
  DATE(created_at) AS day,
  scale,
  rating,
  COUNT(*) AS answers
FROM reachops.feedback
WHERE DATE(created_at) BETWEEN @from_date AND @to_date
  AND org_id = @org_id
  AND (
    CAST(@segment_id AS STRING) IS NULL
    OR person_id IN (
      SELECT m.person_id
      FROM reachops.segment_members AS m
      WHERE m.org_id = @org_id AND m.segment_id = @segment_id
    )
  )
GROUP BY day, scale, rating
ORDER BY day, scale, rating
