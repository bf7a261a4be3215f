-- The conditions of each revision of a conversion goal (all must hold), one row per
-- (org_id, goal_id, revision, position); written once, before the conversion_goals row that
-- names the revision. Values are data the view compares, never SQL text.
--
-- * field: url, referrer, utm_source, utm_medium, utm_campaign, utm_content, utm_term, utm_id,
--   event_name, order_id, currency, value (the event's value_micros) or property (a key of
--   the event's properties_json, in property_key).
-- * operator: equals / contains (text_value, case-sensitive), regex (pattern, RE2, checked when
--   the goal was written), greater_than (number_value; in micros when field is value).
-- Not partitioned: a small configuration table (a few rows per goal revision) MERGEd on its
-- key, which holds no date; clustering by org_id is all a MERGE or a reader needs.
CREATE TABLE IF NOT EXISTS reachops.goal_conditions (
  org_id STRING NOT NULL,
  goal_id STRING NOT NULL,
  revision INT64 NOT NULL,
  position INT64 NOT NULL,
  field STRING NOT NULL,
  property_key STRING,
  operator STRING NOT NULL,
  text_value STRING,
  pattern STRING,
  number_value FLOAT64,
  created_at TIMESTAMP NOT NULL
)
CLUSTER BY org_id, goal_id
OPTIONS (description = 'Conditions of each conversion goal revision; greater_than on value in micros.');
