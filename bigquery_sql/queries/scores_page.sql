-- One page of current scores (reachops.customer_scores_current), highest value first, keyed by
-- (value, score_type, person_id) so a page never repeats or skips a row. @score_type,
-- @person_id, @min_value and @max_value filter when not null; @after_value + @after_type +
-- @after_person are the previous page's last row (null: the first page). @limit is the page
-- size plus one (the extra row says whether another page follows).
SELECT
  person_id, score_type, period, value, currency, breakdown_json, computed_at, expires_at
FROM reachops.customer_scores_current
WHERE org_id = @org_id
  AND (CAST(@score_type AS STRING) IS NULL OR score_type = @score_type)
  AND (CAST(@person_id AS STRING) IS NULL OR person_id = @person_id)
  AND (CAST(@min_value AS FLOAT64) IS NULL OR value >= @min_value)
  AND (CAST(@max_value AS FLOAT64) IS NULL OR value <= @max_value)
  AND (
    CAST(@after_value AS FLOAT64) IS NULL
    OR value < @after_value
    OR (value = @after_value AND score_type > @after_type)
    OR (value = @after_value AND score_type = @after_type AND person_id > @after_person)
  )
ORDER BY value DESC, score_type, person_id
LIMIT @limit
