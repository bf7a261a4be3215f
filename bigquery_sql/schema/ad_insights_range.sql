-- Delivery over a whole date range: one row per (org_id, platform, account_id, level, entity_id,
-- since, until), from Meta's range report (time_increment=all_days) that each sync asks for over
-- its look-back range, and the KPI table for any other range it is asked for (account and
-- campaign rows; shared/adaccounts/range_reach.py, range_requests.py), upserted on those keys.
-- level is account, campaign, adset or ad; an account row's entity_id is the account id and its
-- campaign_id is '' (no campaign owns it).
--
-- reach and frequency here are unique people over the whole range, de-duplicated by Meta: the
-- only correct range reach. Never sum ad_insights_daily.reach over days (a person reached on two
-- days would count twice) and never add reach across entities. NULL = not reported.
CREATE TABLE IF NOT EXISTS reachops.ad_insights_range (
  org_id STRING NOT NULL,
  platform STRING NOT NULL,
  account_id STRING NOT NULL,
  level STRING NOT NULL,
  entity_id STRING NOT NULL,
  entity_name STRING,
  campaign_id STRING NOT NULL,
  since DATE NOT NULL,
  until DATE NOT NULL,
  currency STRING NOT NULL,
  spend_micros INT64,
  impressions INT64,
  reach INT64,
  frequency FLOAT64,
  source STRING NOT NULL,
  synced_at TIMESTAMP NOT NULL
)
PARTITION BY until
CLUSTER BY org_id, account_id
OPTIONS (description = 'Paid delivery per entity over a whole date range (Meta range report); reach and frequency de-duplicated over the range.');
