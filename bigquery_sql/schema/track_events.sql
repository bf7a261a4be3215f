-- Events from tracked sites (page views, conversions, experiment exposures), once per
-- (org_id, site_id, event_id): a resent event is a no-op. Written by track_api.
CREATE TABLE IF NOT EXISTS reachops.track_events (
  org_id STRING NOT NULL,
  site_id STRING NOT NULL,
  event_id STRING NOT NULL,
  event_type STRING NOT NULL,
  occurred_at TIMESTAMP NOT NULL,
  received_at TIMESTAMP NOT NULL,
  visitor_id STRING,
  session_id STRING,
  url STRING,
  referrer STRING,
  utm_source STRING,
  utm_medium STRING,
  utm_campaign STRING,
  utm_content STRING,
  utm_term STRING,
  utm_id STRING,
  fbclid STRING,
  gclid STRING,
  ttclid STRING,
  value_micros INT64,
  currency STRING,
  order_id STRING,
  event_name STRING,
  experiment_id STRING,
  variation_id STRING,
  properties_json STRING
)
PARTITION BY DATE(occurred_at)
CLUSTER BY org_id, site_id
OPTIONS (description = 'Tracked site events, one row per (org_id, site_id, event_id); money in micros.');
