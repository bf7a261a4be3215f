-- Paid media delivery per day, one row per (org_id, platform, account_id, level, entity_id, date),
-- upserted by the warehouse's merge_rows on those six keys with update_existing (a re-sync of a
-- restated day replaces the row; loading the same rows twice changes nothing).
-- shared.paid defines the keys (AD_INSIGHTS_KEYS); rows come from the Meta Graph API
-- (shared/adapters/meta_insights.py) and from CSV files for platforms without an SDK
-- (shared/paid/csv_import.py).
--
-- * level: 'campaign', 'adset' or 'ad'. A platform reports each level on its own, so an account's
--   campaign rows and ad rows describe the same delivery twice: never sum across levels (the
--   paid_kpis_* views read views/paid_answering_rows.sql, the one rule for which level answers).
--   reach is unique people, so it does not add up across entities or days: reach over a range is
--   in ad_insights_range, from Meta's range report.
-- * Money is an integer of micros (1/1,000,000 of the major unit) of currency, the ad account's
--   currency: spend_micros and conversion_value_micros. No exchange rate is ever applied.
-- * NULL means the platform did not report the figure; it is never written as 0.
-- * conversions: the account's conversion events (else the campaign objective's; see
--   shared/paid/conversions.yaml), each counted once from the first of its aliases present (e.g.
--   omni_purchase, else purchase, else the pixel purchase, never two), under the `default`
--   attribution window: Meta's `value`, each ad set's attribution setting. Every other window's
--   figure is in ad_conversions_daily. FLOAT64 as Meta can report fractional (modelled)
--   conversions. conversion_value_micros: the value events' value.
-- * engagements: post engagements; video_p25 .. video_p100: video views reaching 25 % .. 100 %.
-- * actions_json: every action list the platform returned, as
--   {"<field>": {"<action_type>": {"value": "<decimal>", "<window>": "<decimal>", ...}}}, values
--   kept as the platform's decimal strings; attribution_windows: the windows the report asked
--   for, comma-separated, e.g. '7d_click,1d_view' (each stored in ad_conversions_daily).
-- * source: 'meta_api', 'csv' or 'bq_source'; synced_at: when the row was written.
CREATE TABLE IF NOT EXISTS reachops.ad_insights_daily (
  org_id STRING NOT NULL,
  platform STRING NOT NULL,
  account_id STRING NOT NULL,
  level STRING NOT NULL,
  entity_id STRING NOT NULL,
  entity_name STRING,
  campaign_id STRING NOT NULL,
  adset_id STRING,
  ad_id STRING,
  reachops_campaign_id STRING,
  creator_id STRING,
  date DATE NOT NULL,
  currency STRING NOT NULL,
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
  source STRING NOT NULL,
  synced_at TIMESTAMP NOT NULL
)
PARTITION BY date
CLUSTER BY org_id, account_id
OPTIONS (description = 'Paid media insights per entity (campaign, ad set or ad) and day; money in micros of the ad account currency; NULL = not reported; never sum across levels.');
