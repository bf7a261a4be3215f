-- Conversion counts, value and conversion rate of an organization over @from_date..@to_date
-- (days, UTC), by event type, by ReachOps campaign (the one a conversion named) and by day,
-- plus the range's total. One row per (measure, dimension, dim_key[, currency]):
-- * measure 'count': conversions, converting_sessions (sessions with a page_view in the range
--   that converted) and sessions (sessions with a page_view: in the range for 'type', 'total'
--   and 'campaign', on the day for 'day'). A session is (site_id, session_id).
-- * measure 'value': value_micros summed per currency (conversions sent without a value are
--   left out of it; they still count).
WITH viewed AS (
  SELECT DISTINCT CONCAT(site_id, '~', session_id) AS session_key, DATE(occurred_at) AS day
  FROM reachops.track_events_unique
  WHERE DATE(occurred_at) BETWEEN @from_date AND @to_date
    AND org_id = @org_id
    AND event_type = 'page_view'
    AND session_id IS NOT NULL
),
viewed_sessions AS (
  SELECT DISTINCT session_key FROM viewed
),
conv AS (
  SELECT
    c.event_type,
    c.campaign_id,
    CAST(DATE(c.occurred_at) AS STRING) AS day,
    c.value_micros,
    c.currency,
    v.session_key AS converting_session
  FROM reachops.conversions AS c
  LEFT JOIN viewed_sessions AS v
    ON v.session_key = CONCAT(c.site_id, '~', c.session_id)
  WHERE DATE(c.occurred_at) BETWEEN @from_date AND @to_date
    AND c.org_id = @org_id
),
range_sessions AS (
  SELECT COUNT(*) AS sessions FROM viewed_sessions
),
day_sessions AS (
  SELECT CAST(day AS STRING) AS day, COUNT(DISTINCT session_key) AS sessions
  FROM viewed
  GROUP BY day
),
counts AS (
  SELECT 'type' AS dimension, event_type AS dim_key, COUNT(*) AS conversions,
    COUNT(DISTINCT converting_session) AS converting_sessions
  FROM conv GROUP BY event_type
  UNION ALL
  SELECT 'campaign', campaign_id, COUNT(*), COUNT(DISTINCT converting_session)
  FROM conv GROUP BY campaign_id
  UNION ALL
  SELECT 'day', day, COUNT(*), COUNT(DISTINCT converting_session)
  FROM conv GROUP BY day
  UNION ALL
  SELECT 'total', CAST(NULL AS STRING), COUNT(*), COUNT(DISTINCT converting_session)
  FROM conv
),
days AS (
  SELECT day FROM day_sessions
  UNION DISTINCT
  SELECT day FROM conv
)
SELECT
  'count' AS measure, k.dimension, k.dim_key, CAST(NULL AS STRING) AS currency,
  k.conversions, k.converting_sessions, r.sessions, CAST(NULL AS INT64) AS value_micros
FROM counts AS k
CROSS JOIN range_sessions AS r
WHERE k.dimension != 'day' AND (k.dimension != 'total' OR k.conversions > 0)
UNION ALL
SELECT
  'count', 'day', d.day, CAST(NULL AS STRING),
  COALESCE(k.conversions, 0), COALESCE(k.converting_sessions, 0), COALESCE(s.sessions, 0),
  CAST(NULL AS INT64)
FROM days AS d
LEFT JOIN counts AS k ON k.dimension = 'day' AND k.dim_key = d.day
LEFT JOIN day_sessions AS s ON s.day = d.day
UNION ALL
SELECT 'count', 'total', CAST(NULL AS STRING), CAST(NULL AS STRING), 0, 0, r.sessions,
  CAST(NULL AS INT64)
FROM range_sessions AS r
WHERE NOT EXISTS (SELECT 1 FROM conv)
UNION ALL
SELECT 'value', 'type', event_type, currency, NULL, NULL, NULL, SUM(value_micros)
FROM conv WHERE currency IS NOT NULL GROUP BY event_type, currency
UNION ALL
SELECT 'value', 'campaign', campaign_id, currency, NULL, NULL, NULL, SUM(value_micros)
FROM conv WHERE currency IS NOT NULL GROUP BY campaign_id, currency
UNION ALL
SELECT 'value', 'day', day, currency, NULL, NULL, NULL, SUM(value_micros)
FROM conv WHERE currency IS NOT NULL GROUP BY day, currency
UNION ALL
SELECT 'value', 'total', CAST(NULL AS STRING), currency, NULL, NULL, NULL, SUM(value_micros)
FROM conv WHERE currency IS NOT NULL GROUP BY currency
