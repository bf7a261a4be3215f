-- Paid delivery split by audience or placement, one row per (org_id, platform, account_id, level,
-- entity_id, date, breakdown, segment), upserted on those keys by shared/adaccounts/breakdowns.py
-- (a re-read of a restated day replaces its rows).
--
-- * breakdown: 'age_gender' (age, gender), 'country' (country), 'placement' (publisher_platform,
--   platform_position) or 'device' (device_platform): Meta's breakdown fields, in their columns;
--   the columns of other breakdowns are NULL. segment: the breakdown's values joined with '|'
--   ('25-34|female'; 'unknown' where Meta gave none).
-- * One breakdown's segments add up to the entity's day (never add different breakdowns, or
--   different levels, together). reach is unique people: it does not add up across segments,
--   days or entities.
-- * date is the ad account's day (its time zone), as Meta reports it. Money in micros of the
--   account currency. NULL = not reported.
CREATE TABLE IF NOT EXISTS reachops.ad_breakdowns_daily (
  org_id STRING NOT NULL,
  platform STRING NOT NULL,
  account_id STRING NOT NULL,
  level STRING NOT NULL,
  entity_id STRING NOT NULL,
  entity_name STRING,
  campaign_id STRING NOT NULL,
  adset_id STRING,
  ad_id STRING,
  date DATE NOT NULL,
  breakdown STRING NOT NULL,
  segment STRING NOT NULL,
  age STRING,
  gender STRING,
  country STRING,
  publisher_platform STRING,
  platform_position STRING,
  device_platform STRING,
  currency STRING NOT NULL,
  spend_micros INT64,
  impressions INT64,
  reach INT64,
  clicks INT64,
  link_clicks INT64,
  conversions FLOAT64,
  conversion_value_micros INT64,
  attribution_windows STRING,
  synced_at TIMESTAMP NOT NULL
)
PARTITION BY date
CLUSTER BY org_id, account_id, breakdown
OPTIONS (description = 'Paid delivery per entity, day and breakdown segment (age and gender, country, placement, device); money in micros of the account currency; never add breakdowns or levels together.');
