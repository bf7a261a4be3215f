-- Conversion credit of the models SQL cannot express (data_driven: the Markov chain removal
-- effect), per org, model, conversion day and touch target, written by the attribution_resolve
-- job after resolution. Idempotent: each run replaces the org's rows of the days it computed.
-- reachops.attributed_conversions_daily unions these rows with the SQL models.
CREATE TABLE IF NOT EXISTS reachops.attribution_credits (
  org_id STRING NOT NULL,
  model STRING NOT NULL,
  day DATE NOT NULL,
  credit_key STRING NOT NULL,
  event_type STRING NOT NULL,
  campaign_id STRING,
  allocation_id STRING,
  paid_campaign_id STRING,
  channel STRING NOT NULL,
  conversions FLOAT64 NOT NULL,
  value_micros FLOAT64,
  currency STRING,
  computed_at TIMESTAMP NOT NULL
)
PARTITION BY day
CLUSTER BY org_id, model
OPTIONS (description = 'Data-driven (Markov removal effect) conversion credit per org, day, campaign, allocation, paid campaign and channel; value in micros.');
