-- Stored forecasts (shared/forecasting/service.py), one row per forecast, metric and forecast
-- day; the Firestore document orgs/{org}/forecasts/{forecast_id} holds the same forecast for the
-- API. A rerun of a forecast id (the weekly job's id is per campaign and ISO week) replaces its
-- rows. campaign_id / channel NULL: every campaign / every channel. predicted, lower, upper: in
-- the metric's unit (spend and revenue in micros of currency, currency NULL for conversions);
-- lower/upper bound the central `level` prediction interval. method: the engine's model.
CREATE TABLE IF NOT EXISTS reachops.forecasts (
  org_id STRING NOT NULL,
  forecast_id STRING NOT NULL,
  generated_at TIMESTAMP NOT NULL,
  campaign_id STRING,
  channel STRING,
  metric STRING NOT NULL,
  day DATE NOT NULL,
  predicted FLOAT64 NOT NULL,
  lower FLOAT64 NOT NULL,
  upper FLOAT64 NOT NULL,
  level FLOAT64 NOT NULL,
  method STRING NOT NULL,
  currency STRING
)
PARTITION BY day
CLUSTER BY org_id, campaign_id
OPTIONS (description = 'Stored forecasts per forecast, metric and day; lower/upper bound the level prediction interval; money in micros of currency.');
