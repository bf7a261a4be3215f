-- Every person's journey, one row per touchpoint: tracked page views, purchases and lead form
-- submissions (reachops.track_events_unique), feedback (reachops.feedback), form responses
-- (reachops.form_responses) and comments on the organization's campaign posts
-- (reachops.post_comments) written by one of a person's social handles
-- (reachops.person_social_handles), each mapped to its journey event, stage and channel by
-- reachops.ref_journey_events (shared/people/journey_map.yaml). person_id is the record's own
-- or, for a visitor linked to a person (reachops.person_visitors), that person's, so a
-- visitor's sessions from before the link belong to the journey as soon as it is made, as a
-- handle's earlier comments do as soon as the handle is added; NULL is an anonymous visitor.
-- A comment with no time the platform reported is left out. source_id names the record:
-- `site_id~event_id`, feedback_id, response_id or `platform:comment_id` (the comment's
-- sentiment source id). stage_rank is the stage's funnel position (1 = awareness). Money in
-- micros.
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

records AS (
  SELECT
    'feedback' AS origin,
    org_id,
    person_id,
    visitor_id,
    created_at,
    channel,
    feedback_id AS source_id
  FROM reachops.feedback
  UNION ALL
  SELECT
    'form_response' AS origin,
    org_id,
    person_id,
    visitor_id,
    created_at,
    channel,
    response_id AS source_id
  FROM reachops.form_responses
),

answered AS (
  SELECT
    f.org_id,
    COALESCE(f.person_id, v.person_id) AS person_id,
    f.visitor_id,
    f.created_at AS occurred_at,
    r.event,
    COALESCE(named.channel, r.channel) AS channel,
    r.stage,
    r.stage_rank,
    f.source_id,
    CAST(NULL AS INT64) AS value_micros,
    CAST(NULL AS STRING) AS currency
  FROM records AS f
  JOIN reachops.ref_journey_events AS r
    ON r.origin = f.origin AND r.record_channel IS NULL
  LEFT JOIN reachops.ref_journey_events AS named
    ON named.origin = f.origin AND named.record_channel = f.channel
  LEFT JOIN reachops.person_visitors AS v
    ON v.org_id = f.org_id AND v.visitor_id = f.visitor_id
),

social AS (
  SELECT
    c.org_id,
    h.person_id,
    CAST(NULL AS STRING) AS visitor_id,
    c.posted_at AS occurred_at,
    r.event,
    r.channel,
    r.stage,
    r.stage_rank,
    CONCAT(c.platform, ':', c.comment_id) AS source_id,
    CAST(NULL AS INT64) AS value_micros,
    CAST(NULL AS STRING) AS currency
  FROM reachops.post_comments AS c
  JOIN reachops.person_social_handles AS h
    ON h.org_id = c.org_id AND h.platform = c.platform AND h.handle = c.author_username
  JOIN reachops.ref_journey_events AS r
    ON r.origin = 'comment' AND r.record_channel IS NULL
  WHERE c.posted_at IS NOT NULL
)

SELECT * FROM tracked
UNION ALL
SELECT * FROM answered
UNION ALL
SELECT * FROM social;
