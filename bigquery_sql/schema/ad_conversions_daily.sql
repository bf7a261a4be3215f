-- Conversions per attribution window: one row per (org_id, platform, account_id, level, entity_id,
-- date, attribution_window), upserted on those keys beside the entity's ad_insights_daily row
-- (shared.paid.save_insights; a restated day replaces its rows).
--
-- * attribution_window: a window the sync asked Meta for (1d_click, 7d_click, 28d_click, 1d_view,
--   1d_ev; shared/paid/conversions.yaml lists them and the withdrawn 7d_view and 28d_view). Each
--   figure comes from that window's own key of Meta's action entry, never from `value`. The
--   `default` window (Meta's `value`: each ad set's attribution setting) is not stored here: it
--   is ad_insights_daily's own conversions; views/paid_conversion_windows.sql puts them together.
-- * conversions, conversion_value_micros: the account's conversion events (conversion_events,
--   comma-separated; custom conversions as custom:<id>), each counted once from its first alias
--   present (counted_action_types says which). NULL = Meta reported none of them for the window.
CREATE TABLE IF NOT EXISTS reachops.ad_conversions_daily (
  org_id STRING NOT NULL,
  platform STRING NOT NULL,
  account_id STRING NOT NULL,
  level STRING NOT NULL,
  entity_id STRING NOT NULL,
  campaign_id STRING NOT NULL,
  date DATE NOT NULL,
  attribution_window STRING NOT NULL,
  currency STRING NOT NULL,
  conversions FLOAT64,
  conversion_value_micros INT64,
  conversion_events STRING,
  counted_action_types STRING,
  synced_at TIMESTAMP NOT NULL
)
PARTITION BY date
CLUSTER BY org_id, account_id
OPTIONS (description = 'Paid conversions per entity, day and attribution window (each window from its own Meta key); the default window is in ad_insights_daily.');
