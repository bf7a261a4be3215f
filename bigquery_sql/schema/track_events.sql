-- Events from tracked sites (page views, conversions, experiment exposures) and server-side
-- conversions, appended as received (a resent event can be a second row; count through
-- reachops.track_events_unique, one row per (org_id, site_id, event_id)). Written by
-- track_api (source 'browser'), conversions_api (source 'api') and lead_fetch (source
-- 'meta_lead_ads'). A server-side conversion sent without a site has site_id '' (empty).
-- campaign_id names a ReachOps campaign a server-side conversion was attributed to explicitly;
-- paid_campaign_id, paid_adset_id, ad_id, ad_account_id and lead_id are Meta's ids (a Lead Ads
-- lead's). The view reachops.conversions is the analysts' one row per conversion.
CREATE TABLE IF NOT EXISTS reachops.track_events (
  org_id STRING NOT NULL,
  site_id STRING NOT NULL,
  event_id STRING NOT NULL,
  source STRING NOT NULL,
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
  properties_json STRING,
  campaign_id STRING,
  paid_campaign_id STRING,
  paid_adset_id STRING,
  ad_id STRING,
  ad_account_id STRING,
  lead_id STRING
)
PARTITION BY DATE(occurred_at)
CLUSTER BY org_id, site_id
OPTIONS (description = 'Tracked site events and server-side conversions, appended (count them once through track_events_unique); money in micros.');
