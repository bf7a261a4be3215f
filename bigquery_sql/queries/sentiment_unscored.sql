-- An organization's sources without a sentiment_scores row (the bulk path's work), oldest
-- first, at most @limit of them.
SELECT src.source_type, src.source_id, src.text, src.fields_json
FROM reachops.sentiment_sources AS src
LEFT JOIN reachops.sentiment_scores AS s
  ON s.org_id = src.org_id
  AND s.source_type = src.source_type
  AND s.source_id = src.source_id
WHERE src.org_id = @org_id
  AND s.source_id IS NULL
ORDER BY src.occurred_at, src.source_type, src.source_id
LIMIT @limit
