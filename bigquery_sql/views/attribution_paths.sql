-- Each conversion's touch path in the default 30-day look-back (shared/attribution/paths.py
-- DEFAULT_LOOKBACK_DAYS): the touches of reachops.attribution_touches that started less than 30
-- days before the conversion, ranked oldest first (touch_rank 1..touch_count), each with its
-- time-decay factor at the default half-life of 7 days (decay = 0.5 ^ (days_before / 7)). A
-- conversion with no touch in the window keeps one touch on channel 'direct' with no campaign,
-- so every conversion is counted once in every model.
CREATE OR REPLACE VIEW reachops.attribution_paths AS
WITH windowed AS (
  SELECT *, touch_kind != 'session' OR days_before < 30 AS in_window
  FROM reachops.attribution_touches
),
ranked AS (
  SELECT
    *,
    ROW_NUMBER() OVER (
      PARTITION BY org_id, conversion_id ORDER BY in_window DESC, started_at, site_id, session_id
    ) AS position,
    COUNTIF(in_window) OVER (PARTITION BY org_id, conversion_id) AS kept
  FROM windowed
)
SELECT
  org_id,
  conversion_id,
  event_type,
  occurred_at,
  value_micros,
  currency,
  IF(kept = 0, CAST(NULL AS STRING), site_id) AS site_id,
  IF(kept = 0, CAST(NULL AS STRING), session_id) AS session_id,
  IF(kept = 0, CAST(NULL AS TIMESTAMP), started_at) AS started_at,
  IF(kept = 0, 'direct', channel) AS channel,
  IF(kept = 0, CAST(NULL AS STRING), campaign_id) AS campaign_id,
  IF(kept = 0, CAST(NULL AS STRING), allocation_id) AS allocation_id,
  IF(kept = 0, CAST(NULL AS STRING), paid_campaign_id) AS paid_campaign_id,
  IF(kept = 0, CAST(NULL AS FLOAT64), days_before) AS days_before,
  position AS touch_rank,
  GREATEST(kept, 1) AS touch_count,
  IF(kept = 0, 1.0, COALESCE(POW(0.5, days_before / 7.0), 1.0)) AS decay
FROM ranked
WHERE in_window OR (kept = 0 AND position = 1);
