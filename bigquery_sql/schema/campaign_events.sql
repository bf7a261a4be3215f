-- Every campaign event (created, updated, activated, paused, resumed, completed), once each.
CREATE TABLE IF NOT EXISTS reachops.campaign_events (
  event_id STRING NOT NULL,
  event_type STRING NOT NULL,
  org_id STRING NOT NULL,
  campaign_id STRING NOT NULL,
  actor_kind STRING NOT NULL,
  actor_id STRING NOT NULL,
  actor_role STRING,
  occurred_at TIMESTAMP NOT NULL,
  data_json STRING,
  recorded_at TIMESTAMP NOT NULL
)
PARTITION BY DATE(occurred_at)
CLUSTER BY org_id, campaign_id
OPTIONS (description = 'Campaign lifecycle and edit events, one row per event_id.');
