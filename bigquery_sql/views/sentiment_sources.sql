-- Every text ReachOps scores for sentiment, one row per source: feedback with text, form
-- responses (their answers as JSON in fields_json, text NULL: shared/sentiment reads the
-- answers' text from it) and post comments with text. occurred_at is when the customer wrote
-- it (feedback and responses: created_at, comments: posted_at, else when first scraped).
-- person_id: the person it came from, when known. creator_id and campaign_id: the post's
-- (comments only).
CREATE OR REPLACE VIEW reachops.sentiment_sources AS
SELECT
  org_id, 'feedback' AS source_type, feedback_id AS source_id, created_at AS occurred_at,
  text, CAST(NULL AS STRING) AS fields_json, person_id,
  CAST(NULL AS STRING) AS creator_id, CAST(NULL AS STRING) AS campaign_id
FROM reachops.feedback
WHERE text IS NOT NULL AND TRIM(text) != ''
UNION ALL
SELECT
  org_id, 'form_response' AS source_type, response_id AS source_id, created_at AS occurred_at,
  CAST(NULL AS STRING) AS text, fields_json, person_id,
  CAST(NULL AS STRING) AS creator_id, CAST(NULL AS STRING) AS campaign_id
FROM reachops.form_responses
UNION ALL
SELECT
  org_id, 'comment' AS source_type, CONCAT(platform, ':', comment_id) AS source_id,
  COALESCE(posted_at, scraped_at) AS occurred_at, text, CAST(NULL AS STRING) AS fields_json,
  CAST(NULL AS STRING) AS person_id, creator_id, campaign_id
FROM reachops.post_comments
WHERE text IS NOT NULL AND TRIM(text) != '';
