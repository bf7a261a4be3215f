-- The mean sentiment (-1..1) of each person's feedback from @from_date to @to_date (UTC days):
-- reachops.feedback joined to its scored rows of reachops.sentiment_scores (failed scorings are
-- left out, never read as neutral). @person_id (NULL: everyone) narrows it to one person.
SELECT
  f.person_id,
  COUNT(*) AS scored,
  AVG(s.score) AS mean_score,
  STRING_AGG(DISTINCT s.engine, ',' ORDER BY s.engine) AS engines
FROM reachops.feedback AS f
JOIN reachops.sentiment_scores AS s
  ON s.org_id = f.org_id AND s.source_type = 'feedback' AND s.source_id = f.feedback_id
WHERE DATE(f.created_at) BETWEEN @from_date AND @to_date
  AND f.org_id = @org_id
  AND f.person_id IS NOT NULL
  AND (CAST(@person_id AS STRING) IS NULL OR f.person_id = @person_id)
  AND s.status = 'scored'
GROUP BY f.person_id
ORDER BY f.person_id
