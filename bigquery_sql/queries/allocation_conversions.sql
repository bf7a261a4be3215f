-- Each allocation of one campaign: its tracking-link sessions (reachops.session_resolutions
-- resolved to it) and the conversions of @event_types credited to it by @model
-- (reachops.attributed_conversions_daily), per currency of the conversions' value.
WITH credited AS (
  SELECT allocation_id, currency, SUM(conversions) AS conversions, SUM(value_micros) AS value_micros
  FROM reachops.attributed_conversions_daily
  WHERE
    org_id = @org_id
    AND campaign_id = @campaign_id
    AND allocation_id IS NOT NULL
    AND model = @model
    AND event_type IN UNNEST(@event_types)
  GROUP BY allocation_id, currency
),
visits AS (
  SELECT allocation_id, COUNT(*) AS tracking_sessions
  FROM reachops.session_resolutions
  WHERE org_id = @org_id AND campaign_id = @campaign_id AND allocation_id IS NOT NULL
  GROUP BY allocation_id
)
SELECT
  COALESCE(c.allocation_id, v.allocation_id) AS allocation_id,
  c.currency,
  COALESCE(c.conversions, 0) AS conversions,
  c.value_micros,
  COALESCE(v.tracking_sessions, 0) AS tracking_sessions
FROM credited AS c
FULL OUTER JOIN visits AS v ON v.allocation_id = c.allocation_id
ORDER BY allocation_id, currency;
