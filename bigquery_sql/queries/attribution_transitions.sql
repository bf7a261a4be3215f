-- The first-order Markov chain of an org's journeys, as transition counts between states
-- '(start)', the channels, '(conversion)' and '(null)': each conversion's session touches that
-- started less than @lookback_days before it (conversions from @from_at to @until_at) end in
-- '(conversion)'; the sessions from @since_at to @until_at of visitors with no conversion then
-- end in '(null)'. Conversions that name their campaign or have no touch are not journeys.
WITH converting AS (
  SELECT conversion_id AS path_id, 1 AS converted, channel, started_at, site_id, session_id
  FROM reachops.attribution_touches
  WHERE
    org_id = @org_id
    AND touch_kind = 'session'
    AND days_before < @lookback_days
    AND occurred_at >= @from_at
    AND occurred_at < @until_at
),
converters AS (
  SELECT DISTINCT visitor_id
  FROM reachops.conversions
  WHERE org_id = @org_id AND visitor_id IS NOT NULL AND occurred_at >= @from_at AND occurred_at < @until_at
),
browsing AS (
  SELECT s.visitor_id AS path_id, 0 AS converted, s.channel, s.started_at, s.site_id, s.session_id
  FROM reachops.session_resolutions AS s
  LEFT JOIN converters AS c ON c.visitor_id = s.visitor_id
  WHERE
    s.org_id = @org_id
    AND s.visitor_id IS NOT NULL
    AND c.visitor_id IS NULL
    AND s.started_at >= @since_at
    AND s.started_at < @until_at
),
steps AS (
  SELECT
    converted,
    channel,
    LAG(channel) OVER (PARTITION BY converted, path_id ORDER BY started_at, site_id, session_id) AS previous,
    LEAD(channel) OVER (PARTITION BY converted, path_id ORDER BY started_at, site_id, session_id) AS following
  FROM (SELECT * FROM converting UNION ALL SELECT * FROM browsing)
)
SELECT COALESCE(previous, '(start)') AS from_state, channel AS to_state, COUNT(*) AS transitions
FROM steps
GROUP BY from_state, to_state
UNION ALL
SELECT channel AS from_state, IF(converted = 1, '(conversion)', '(null)') AS to_state, COUNT(*) AS transitions
FROM steps
WHERE following IS NULL
GROUP BY from_state, to_state
ORDER BY from_state, to_state;
