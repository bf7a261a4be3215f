-- Each person's latest rating from @from_date to @to_date (UTC days) in reachops.feedback: the
-- per-person NPS score (shared/scores/nps_service.py maps it onto 0-10 and names the category).
SELECT
  person_id,
  feedback_id,
  scale,
  rating,
  created_at
FROM reachops.feedback
WHERE DATE(created_at) BETWEEN @from_date AND @to_date
  AND org_id = @org_id
  AND person_id IS NOT NULL
QUALIFY ROW_NUMBER() OVER (PARTITION BY person_id ORDER BY created_at DESC, feedback_id DESC) = 1
ORDER BY person_id
