-- Sentiment of feedback, form responses and post comments (shared/sentiment), one row per
-- (org_id, source_type, source_id), MERGEd: a source scored again (its text changed, or a
-- bulk run after a failure) replaces its row.
--
-- * source_type: 'feedback' (reachops.feedback), 'form_response' (reachops.form_responses) or
--   'comment' (reachops.post_comments; source_id is '<platform>:<comment_id>').
-- * content_hash: SHA-256 (hex) of the scored text; results are cached by it and the model,
--   so no text is scored twice.
-- * engine: 'anthropic' (the Messages or Message Batches API) or 'vader' (the offline engine);
--   model: the engine's model id (e.g. 'vaderSentiment-3.3.2').
-- * status: 'scored', or 'failed' when the engine refused the text (reason says why; score
--   and label are then NULL, never a neutral stand-in).
-- * score: -1 (negative) .. 1 (positive); label: positive, negative, neutral or mixed.
-- * keywords_json, entities_json: JSON arrays of text; toxicity 0..1, NULL when the engine
--   does not report it (VADER never does).
-- Not partitioned: no date is in the key (a source keeps one row); clustered by org_id.
CREATE TABLE IF NOT EXISTS reachops.sentiment_scores (
  org_id STRING NOT NULL,
  source_type STRING NOT NULL,
  source_id STRING NOT NULL,
  content_hash STRING NOT NULL,
  engine STRING NOT NULL,
  model STRING NOT NULL,
  status STRING NOT NULL,
  score FLOAT64,
  label STRING,
  keywords_json STRING NOT NULL,
  entities_json STRING NOT NULL,
  toxicity FLOAT64,
  reason STRING,
  scored_at TIMESTAMP NOT NULL
)
CLUSTER BY org_id, source_type, label
OPTIONS (description = 'Sentiment per feedback, form response and comment: engine, model, score -1..1, label; failed rows carry the reason.');
