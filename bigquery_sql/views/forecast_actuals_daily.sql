-- What happened, per day, in the series forecasts are made of (shared/forecasting): one row per
-- org, ReachOps campaign (NULL: not linked to one), channel (shared/attribution/channels.py),
-- metric, day and currency. The forecasts' history and their accuracy both read it, so a forecast
-- is scored against the figure it was fitted on.
-- * metric 'spend' (micros of currency): roi_spend_daily, the dashboard's cost (paid spend per
--   Meta campaign-day, and a creator allocation's fee on the day its campaign was first
--   activated).
-- * metric 'conversions' (credit; currency NULL) and 'revenue' (credited value, micros of
--   currency): one source per campaign-day, never both.
--   - 'tracked': attributed_conversions_daily under the last-click model, purchases and leads
--     only (the dashboard's default too): add_to_cart and begin_checkout are funnel steps on
--     the way to a purchase, and adding them would count one buyer up to three times.
--   - 'meta_reported': a Meta campaign-day's own conversions and conversion value
--     (paid_kpis_campaign_daily, 'default' attribution window, channel 'paid_social'), only when
--     the tracked rows credit nothing that day to its ReachOps campaign (when it is linked to
--     one) or to the Meta campaign itself.
-- Days with no row had nothing (a forecast's history reads them as zeros).
CREATE OR REPLACE VIEW reachops.forecast_actuals_daily AS
WITH tracked AS (
  SELECT org_id, day, campaign_id, paid_campaign_id, channel, currency, conversions, value_micros
  FROM reachops.attributed_conversions_daily
  WHERE model = 'last_click'
    AND event_type IN ('purchase', 'lead_form_submission')
),

tracked_campaign_days AS (
  SELECT DISTINCT org_id, day, campaign_id AS key
  FROM tracked
  WHERE campaign_id IS NOT NULL
  UNION DISTINCT
  SELECT DISTINCT org_id, day, CONCAT('meta:', paid_campaign_id) AS key
  FROM tracked
  WHERE paid_campaign_id IS NOT NULL
),

meta_reported AS (
  SELECT p.*
  FROM reachops.paid_kpis_campaign_daily AS p
  WHERE p.attribution_window = 'default'
    AND NOT EXISTS (
      SELECT 1
      FROM tracked_campaign_days AS t
      WHERE t.org_id = p.org_id
        AND t.day = p.date
        AND t.key IN (p.reachops_campaign_id, CONCAT('meta:', p.campaign_id))
    )
)

SELECT
  org_id,
  campaign_id,
  channel,
  'spend' AS metric,
  day,
  currency,
  'roi_spend_daily' AS source,
  CAST(SUM(spend_micros) AS FLOAT64) AS value
FROM reachops.roi_spend_daily
WHERE spend_micros IS NOT NULL
GROUP BY org_id, campaign_id, channel, day, currency

UNION ALL

SELECT
  org_id,
  campaign_id,
  channel,
  'conversions' AS metric,
  day,
  CAST(NULL AS STRING) AS currency,
  'tracked' AS source,
  SUM(conversions) AS value
FROM tracked
GROUP BY org_id, campaign_id, channel, day

UNION ALL

SELECT
  org_id,
  campaign_id,
  channel,
  'revenue' AS metric,
  day,
  currency,
  'tracked' AS source,
  SUM(value_micros) AS value
FROM tracked
WHERE value_micros IS NOT NULL AND currency IS NOT NULL
GROUP BY org_id, campaign_id, channel, day, currency

UNION ALL

SELECT
  org_id,
  reachops_campaign_id AS campaign_id,
  'paid_social' AS channel,
  'conversions' AS metric,
  date AS day,
  CAST(NULL AS STRING) AS currency,
  'meta_reported' AS source,
  CAST(SUM(conversions) AS FLOAT64) AS value
FROM meta_reported
WHERE conversions IS NOT NULL
GROUP BY org_id, reachops_campaign_id, date

UNION ALL

SELECT
  org_id,
  reachops_campaign_id AS campaign_id,
  'paid_social' AS channel,
  'revenue' AS metric,
  date AS day,
  currency,
  'meta_reported' AS source,
  CAST(SUM(conversion_value_micros) AS FLOAT64) AS value
FROM meta_reported
WHERE conversion_value_micros IS NOT NULL
GROUP BY org_id, reachops_campaign_id, date, currency;
