-- An organization's sentiment per day (UTC, of when the customer wrote the text) and source
-- type, @from_date..@to_date: what /v1/sentiment/stats and /trends add up. mean_score and the
-- label counts are over scored rows; toxicity over the rows whose engine reported it.
SELECT
  DATE(src.occurred_at) AS day,
  s.source_type,
  COUNT(*) AS results,
  COUNTIF(s.status = 'scored') AS scored,
  COUNTIF(s.status = 'failed') AS failed,
  SUM(IF(s.status = 'scored', s.score, NULL)) AS score_sum,
  COUNTIF(s.label = 'positive') AS positive,
  COUNTIF(s.label = 'negative') AS negative,
  COUNTIF(s.label = 'neutral') AS neutral,
  COUNTIF(s.label = 'mixed') AS mixed,
  SUM(s.toxicity) AS toxicity_sum,
  COUNT(s.toxicity) AS toxicity_reported
FROM reachops.sentiment_scores AS s
JOIN reachops.sentiment_sources AS src
  ON src.org_id = s.org_id
  AND src.source_type = s.source_type
  AND src.source_id = s.source_id
WHERE s.org_id = @org_id
  AND DATE(src.occurred_at) BETWEEN @from_date AND @to_date
GROUP BY day, s.source_type
ORDER BY day, s.source_type
