-- The current settings of every campaign, ad set and ad of a synced ad account, one row per
-- (org_id, platform, account_id, level, object_id), replaced on each sync by
-- shared/adaccounts/metadata.py (objects of every status the edges list, archived included; an
-- object Meta no longer lists, such as a deleted one, keeps its last row).
--
-- * status: what the advertiser set (ACTIVE, PAUSED, DELETED, ARCHIVED); effective_status: what
--   Meta applies (e.g. CAMPAIGN_PAUSED, ADSET_PAUSED, WITH_ISSUES).
-- * objective: campaigns only (an ad set's or ad's is its campaign's: join on campaign_id).
-- * daily_budget_micros, lifetime_budget_micros: in micros of currency (Meta gives the account
--   currency's minor units); NULL when the object has no budget of that kind (Meta's 0 or
--   absent, e.g. an ad set under a campaign budget). Ads have none.
-- * creative_id, creative_thumbnail_url: ads only.
-- * updated_time: when Meta last changed the object; synced_at: when ReachOps last read it.
-- Not partitioned: latest state, one row per object, replaced on each sync on a key with no
-- date (a partition by synced_at would move each row at each sync and keep the MERGE from
-- pruning); clustered by org_id, account_id and level, which prune the blocks a MERGE scans.
CREATE TABLE IF NOT EXISTS reachops.ad_objects (
  org_id STRING NOT NULL,
  platform STRING NOT NULL,
  account_id STRING NOT NULL,
  level STRING NOT NULL,
  object_id STRING NOT NULL,
  name STRING,
  campaign_id STRING,
  adset_id STRING,
  status STRING,
  effective_status STRING,
  objective STRING,
  currency STRING NOT NULL,
  daily_budget_micros INT64,
  lifetime_budget_micros INT64,
  bid_strategy STRING,
  creative_id STRING,
  creative_thumbnail_url STRING,
  updated_time TIMESTAMP,
  synced_at TIMESTAMP NOT NULL
)
CLUSTER BY org_id, account_id, level
OPTIONS (description = 'Current status, objective, budgets, bid strategy and creative of each campaign, ad set and ad; budgets in micros of the account currency.');
