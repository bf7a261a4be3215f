-- One page of an organization's sentiment results, newest first by when the customer wrote
-- the text, keyed by (occurred_at, source_type, source_id) so a page never repeats or skips a
-- row. @source_type and @label filter when not null; @after_* are the previous page's last
-- row (null: the first page); @limit is the page size plus one.
SELECT
  s.source_type, s.source_id, src.occurred_at, s.content_hash, s.engine, s.model, s.status,
  s.score, s.label, s.keywords_json, s.entities_json, s.toxicity, s.reason, s.scored_at
FROM reachops.sentiment_scores AS s
JOIN reachops.sentiment_sources AS src
  ON src.org_id = s.org_id
  AND src.source_type = s.source_type
  AND src.source_id = s.source_id
WHERE s.org_id = @org_id
  AND (CAST(@source_type AS STRING) IS NULL OR s.source_type = @source_type)
  AND (CAST(@label AS STRING) IS NULL OR s.label = @label)
  AND (
    CAST(@after_at AS TIMESTAMP) IS NULL
    OR src.occurred_at < CAST(@after_at AS TIMESTAMP)
    OR (
      src.occurred_at = CAST(@after_at AS TIMESTAMP)
      AND (
        s.source_type < @after_type
        OR (s.source_type = @after_type AND s.source_id < @after_id)
      )
    )
  )
ORDER BY src.occurred_at DESC, s.source_type DESC, s.source_id DESC
LIMIT @limit
