-- Conversion goals, mirrored from Firestore (orgs/{org}/goals, the source of truth) on every
-- change by shared/goals/service.py, one row per (org_id, goal_id), replaced each time.
--
-- * revision: the goal's current revision; its conditions are the goal_conditions rows of it.
-- * site_id: NULL counts every site of the organization (and server-side events, site '').
-- * event_name: custom goals only (the custom event's name).
-- * value_rule: 'event' (each match is worth the event's value_micros and currency) or 'fixed'
--   (fixed_value_micros in fixed_currency per match).
-- * deleted_at: set when the goal is deleted; from then on it matches nothing.
-- Not partitioned: a small configuration table (a few rows per organization) MERGEd on
-- (org_id, goal_id); clustering by org_id is all a MERGE or a reader needs.
CREATE TABLE IF NOT EXISTS reachops.conversion_goals (
  org_id STRING NOT NULL,
  goal_id STRING NOT NULL,
  revision INT64 NOT NULL,
  name STRING NOT NULL,
  site_id STRING,
  event_type STRING NOT NULL,
  event_name STRING,
  value_rule STRING NOT NULL,
  fixed_value_micros INT64,
  fixed_currency STRING,
  created_at TIMESTAMP NOT NULL,
  updated_at TIMESTAMP NOT NULL,
  deleted_at TIMESTAMP
)
CLUSTER BY org_id, goal_id
OPTIONS (description = 'Conversion goals (mirror of Firestore), one row per goal; fixed values in micros.');
