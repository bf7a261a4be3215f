-- The texts of an organization's sources (reachops.sentiment_sources) named by @source_type and
-- @source_ids (an array), to score now (POST /v1/sentiment/analyze, the feedback and
-- form-response events).
SELECT source_type, source_id, text, fields_json
FROM reachops.sentiment_sources
WHERE org_id = @org_id
  AND source_type = @source_type
  AND source_id IN UNNEST(@source_ids)
