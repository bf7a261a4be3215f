-- The landing table for platforms without an SDK (Google Ads, TikTok Ads, ...): an external
-- pipeline (e.g. a BigQuery Data Transfer or a script) writes daily rows here in the
-- ad_insights_daily schema; the daily import validates each row and MERGEs the valid ones
-- (queries/import_ad_insights_source.sql); views/paid_source_rejects.sql lists the others.
CREATE TABLE IF NOT EXISTS reachops.ad_insights_source (
  org_id STRING,
  platform STRING,
  account_id STRING,
  level STRING,
  entity_id STRING,
  entity_name STRING,
  campaign_id STRING,
  adset_id STRING,
  ad_id STRING,
  reachops_campaign_id STRING,
  creator_id STRING,
  date DATE,
  currency STRING,
  spend_micros INT64,
  impressions INT64,
  reach INT64,
  frequency FLOAT64,
  clicks INT64,
  link_clicks INT64,
  conversions FLOAT64,
  conversion_value_micros INT64,
  engagements INT64,
  video_p25 INT64,
  video_p50 INT64,
  video_p75 INT64,
  video_p100 INT64,
  actions_json STRING,
  attribution_windows STRING,
  loaded_at TIMESTAMP
)
PARTITION BY date
CLUSTER BY org_id, account_id
OPTIONS (description = 'Landing table for non-SDK platforms, same schema as ad_insights_daily; validated row by row on import.');
