-- Each conversion's touch path in the default 30-day look-back (shared/attribution/paths.py
-- DEFAULT_LOOKBACK_DAYS): the touches of reachops.attribution_touches that started less than 30
-- days before the conversion, ranked oldest first (touch_rank 1..touch_count), each with its
-- time-decay factor at the default half-life of 7 days (decay = 0.5 ^ (days_before / 7)). A
-- conversion with no touch in the window keeps one touch on channel 'direct' with no campaign,
-- so every conversion is counted once in every model.
CREATE OR REPLACE VIEW reachops.attribution_paths AS
WITH windowed AS (
  SELECT
    *,
    touch_kind != 'session' OR days_before < 30 AS in_window,
    COUNTIF(touch_kind != 'session' OR days_before < 30)
      OVER (PARTITION BY org_id, conversion_id) AS kept
  FROM reachops.attribution_touches
),
paths AS (
  SELECT
    org_id, conversion_id, event_type, occurred_at, value_micros, currency, site_id, session_id,
    started_at, channel, campaign_id, allocation_id, paid_campaign_id, days_before
  FROM windowed
  WHERE in_window
  UNION ALL
  SELECT DISTINCT
    org_id, conversion_id, event_type, occurred_at, value_micros, currency,
    CAST(NULL AS STRING) AS site_id, CAST(NULL AS STRING) AS session_id,
    CAST(NULL AS TIMESTAMP) AS started_at, 'direct' AS channel, CAST(NULL AS STRING) AS campaign_id,
    CAST(NULL AS STRING) AS allocation_id, CAST(NULL AS STRING) AS paid_campaign_id,
    CAST(NULL AS FLOAT64) AS days_before
  FROM windowed
  WHERE kept = 0
),
ranked AS (
  SELECT
    *,
    ROW_NUMBER() OVER (
      PARTITION BY org_id, conversion_id ORDER BY started_at, site_id, session_id
    ) AS touch_rank,
    COUNT(*) OVER (PARTITION BY org_id, conversion_id) AS touch_count,
    COALESCE(POW(0.5, days_before / 7.0), 1.0) AS decay
  FROM paths
)
SELECT * FROM ranked;
