-- One row per (goal, tracked event it matches), evaluated over every event ever tracked: a goal
-- created today covers history, and a deleted goal (deleted_at set) matches nothing. Each live
-- goal's conditions (all of its current revision's, AND) are read as data from goal_conditions.
-- value_micros/currency follow the goal's value rule: the event's own, or the fixed amount.
-- conversion_id is the public id of the event (site_id '~' event_id), as in conversions.
-- One pass: each candidate event of a goal joined to the goal's conditions (none: it matches),
-- kept when every condition holds. Filter on occurred_at (track_events' partition column), which
-- reaches the scan of track_events through the grouping.
CREATE OR REPLACE VIEW reachops.goal_conversions AS
WITH candidates AS (
  SELECT
    g.org_id,
    g.goal_id,
    g.revision,
    g.value_rule,
    g.fixed_value_micros,
    g.fixed_currency,
    e.site_id,
    e.event_id,
    e.event_type,
    e.occurred_at,
    e.value_micros AS event_value_micros,
    e.currency AS event_currency,
    e.visitor_id,
    e.session_id,
    e.url,
    e.referrer,
    e.utm_source,
    e.utm_medium,
    e.utm_campaign,
    e.utm_content,
    e.utm_term,
    e.utm_id,
    e.event_name,
    e.order_id,
    e.properties_json
  FROM reachops.conversion_goals AS g
  JOIN reachops.track_events_unique AS e
    ON e.org_id = g.org_id
    AND e.event_type = g.event_type
    AND (g.site_id IS NULL OR e.site_id = g.site_id)
    AND (g.event_name IS NULL OR e.event_name = g.event_name)
  WHERE g.deleted_at IS NULL
),
tested AS (
  SELECT
    c.*,
    k.position,
    k.operator,
    k.text_value,
    k.pattern,
    k.number_value,
    CASE k.field
      WHEN 'url' THEN c.url
      WHEN 'referrer' THEN c.referrer
      WHEN 'utm_source' THEN c.utm_source
      WHEN 'utm_medium' THEN c.utm_medium
      WHEN 'utm_campaign' THEN c.utm_campaign
      WHEN 'utm_content' THEN c.utm_content
      WHEN 'utm_term' THEN c.utm_term
      WHEN 'utm_id' THEN c.utm_id
      WHEN 'event_name' THEN c.event_name
      WHEN 'order_id' THEN c.order_id
      WHEN 'currency' THEN c.event_currency
      WHEN 'value' THEN CAST(c.event_value_micros AS STRING)
      WHEN 'property' THEN JSON_VALUE(PARSE_JSON(c.properties_json)[k.property_key])
    END AS subject
  FROM candidates AS c
  LEFT JOIN reachops.goal_conditions AS k
    ON k.org_id = c.org_id AND k.goal_id = c.goal_id AND k.revision = c.revision
)
SELECT
  org_id,
  goal_id,
  CONCAT(site_id, '~', event_id) AS conversion_id,
  site_id,
  event_id,
  event_type,
  occurred_at,
  IF(value_rule = 'fixed', fixed_value_micros, event_value_micros) AS value_micros,
  IF(value_rule = 'fixed', fixed_currency, event_currency) AS currency,
  visitor_id,
  session_id
FROM tested
GROUP BY
  org_id, goal_id, site_id, event_id, event_type, occurred_at, value_rule, fixed_value_micros,
  fixed_currency, event_value_micros, event_currency, visitor_id, session_id
HAVING LOGICAL_AND(
  position IS NULL
  OR COALESCE(
    CASE operator
      WHEN 'equals' THEN subject = text_value
      WHEN 'contains' THEN STRPOS(subject, text_value) > 0
      WHEN 'regex' THEN REGEXP_CONTAINS(subject, pattern)
      WHEN 'greater_than' THEN SAFE_CAST(subject AS FLOAT64) > number_value
    END,
    FALSE
  )
);
