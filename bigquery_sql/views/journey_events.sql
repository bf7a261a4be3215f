-- Every person's journey, one row per touchpoint: tracked page views, purchases and lead form
-- submissions (reachops.track_events_unique), feedback (reachops.feedback) and form responses
-- (reachops.form_responses), each mapped to its journey event, stage and channel by
-- reachops.ref_journey_events (shared/people/journey_map.yaml). person_id is the record's own
-- or, for a visitor linked to a person (reachops.person_visitors), that person's, so a
-- visitor's sessions from before the link belong to the journey as soon as it is made; NULL is
-- an anonymous visitor. source_id names the record: `site_id~event_id`, feedback_id or
-- response_id. stage_rank is the stage's funnel position (1 = awareness). Money in micros.
CREATE OR REPLACE VIEW reachops.journey_events AS
WITH tracked AS (
  SELECT
    e.org_id,
    v.person_id,
    e.visitor_id,
    e.occurred_at,
    r.event,
    r.channel,
    r.stage,
    r.stage_rank,
    CONCAT(e.site_id, '~', e.event_id) AS source_id,
    e.value_micros,
    e.currency
  FROM reachops.track_events_unique AS e
  JOIN reachops.ref_journey_events AS r
    ON r.origin = 'track'
    AND r.track_source = e.source
    AND r.event_type = e.event_type
    AND r.record_channel IS NULL
  LEFT JOIN reachops.person_visitors AS v
    ON v.org_id = e.org_id AND v.visitor_id = e.visitor_id
),

feedback AS (
  SELECT
    f.org_id,
    COALESCE(f.person_id, v.person_id) AS person_id,
    f.visitor_id,
    f.created_at AS occurred_at,
    r.event,
    COALESCE(named.channel, r.channel) AS channel,
    r.stage,
    r.stage_rank,
    f.feedback_id AS source_id,
    CAST(NULL AS INT64) AS value_micros,
    CAST(NULL AS STRING) AS currency
  FROM reachops.feedback AS f
  JOIN reachops.ref_journey_events AS r
    ON r.origin = 'feedback' AND r.record_channel IS NULL
  LEFT JOIN reachops.ref_journey_events AS named
    ON named.origin = 'feedback' AND named.record_channel = f.channel
  LEFT JOIN reachops.person_visitors AS v
    ON v.org_id = f.org_id AND v.visitor_id = f.visitor_id
),

responses AS (
  SELECT
    f.org_id,
    COALESCE(f.person_id, v.person_id) AS person_id,
    f.visitor_id,
    f.created_at AS occurred_at,
    r.event,
    COALESCE(named.channel, r.channel) AS channel,
    r.stage,
    r.stage_rank,
    f.response_id AS source_id,
    CAST(NULL AS INT64) AS value_micros,
    CAST(NULL AS STRING) AS currency
  FROM reachops.form_responses AS f
  JOIN reachops.ref_journey_events AS r
    ON r.origin = 'form_response' AND r.record_channel IS NULL
  LEFT JOIN reachops.ref_journey_events AS named
    ON named.origin = 'form_response' AND named.record_channel = f.channel
  LEFT JOIN reachops.person_visitors AS v
    ON v.org_id = f.org_id AND v.visitor_id = f.visitor_id
)

SELECT * FROM tracked
UNION ALL
SELECT * FROM feedback
UNION ALL
SELECT * FROM responses;
