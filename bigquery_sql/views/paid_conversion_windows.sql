-- Conversions of every entity and day under every attribution window stored for it: one row per
-- (org_id, platform, account_id, level, entity_id, date, attribution_window).
--
-- attribution_window 'default' is Meta's `value`, under each ad set's own attribution setting
-- (Ads Manager's figure; the only window of CSV and BigQuery-source rows): ad_insights_daily's
-- conversions. Every other
-- window (1d_click, 7d_click, 28d_click, 1d_view, 1d_ev) comes from ad_conversions_daily, each
-- from its own Meta key. Filter on attribution_window: figures of different windows are the same
-- conversions counted differently, never to be added together.
CREATE OR REPLACE VIEW reachops.paid_conversion_windows AS
SELECT
  org_id,
  platform,
  account_id,
  level,
  entity_id,
  campaign_id,
  date,
  'default' AS attribution_window,
  conversions,
  conversion_value_micros
FROM reachops.ad_insights_daily
UNION ALL
SELECT
  org_id,
  platform,
  account_id,
  level,
  entity_id,
  campaign_id,
  date,
  attribution_window,
  conversions,
  conversion_value_micros
FROM reachops.ad_conversions_daily
WHERE attribution_window != 'default';
