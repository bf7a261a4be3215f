-- An ordered funnel of up to five event types (@stage_1 .. @stage_5; NULL = no such stage) over
-- the distinct visitors of @org_id's tracked events in [@from_ts, @to_ts). A visitor reaches a
-- stage at the first event of its type at or after the moment it reached the stage before (so a
-- purchase without an earlier add_to_cart does not count at the purchase stage). When
-- @filter_sites, only events of the sites in @site_ids count. Events without a visitor id
-- cannot be followed and are left out. One row: visitors_1 .. visitors_5 (NULL past the last
-- stage). The dashboard's goal funnel (dashboard_goal_funnel.sql) is the same over goals.
WITH steps AS (
  SELECT visitor_id, event_type AS step, occurred_at
  FROM reachops.track_events_unique
  WHERE org_id = @org_id
    AND occurred_at >= @from_ts
    AND occurred_at < @to_ts
    AND visitor_id IS NOT NULL
    AND (NOT @filter_sites OR site_id IN UNNEST(@site_ids))
),

s1 AS (
  SELECT visitor_id, MIN(occurred_at) AS reached_at
  FROM steps
  WHERE step = @stage_1
  GROUP BY visitor_id
),

s2 AS (
  SELECT e.visitor_id, MIN(e.occurred_at) AS reached_at
  FROM steps AS e
  JOIN s1 ON s1.visitor_id = e.visitor_id AND e.occurred_at >= s1.reached_at
  WHERE e.step = @stage_2
  GROUP BY e.visitor_id
),

s3 AS (
  SELECT e.visitor_id, MIN(e.occurred_at) AS reached_at
  FROM steps AS e
  JOIN s2 ON s2.visitor_id = e.visitor_id AND e.occurred_at >= s2.reached_at
  WHERE e.step = @stage_3
  GROUP BY e.visitor_id
),

s4 AS (
  SELECT e.visitor_id, MIN(e.occurred_at) AS reached_at
  FROM steps AS e
  JOIN s3 ON s3.visitor_id = e.visitor_id AND e.occurred_at >= s3.reached_at
  WHERE e.step = @stage_4
  GROUP BY e.visitor_id
),

s5 AS (
  SELECT e.visitor_id, MIN(e.occurred_at) AS reached_at
  FROM steps AS e
  JOIN s4 ON s4.visitor_id = e.visitor_id AND e.occurred_at >= s4.reached_at
  WHERE e.step = @stage_5
  GROUP BY e.visitor_id
)

SELECT
  (SELECT COUNT(*) FROM s1) AS visitors_1,
  IF(@stage_2 IS NULL, NULL, (SELECT COUNT(*) FROM s2)) AS visitors_2,
  IF(@stage_3 IS NULL, NULL, (SELECT COUNT(*) FROM s3)) AS visitors_3,
  IF(@stage_4 IS NULL, NULL, (SELECT COUNT(*) FROM s4)) AS visitors_4,
  IF(@stage_5 IS NULL, NULL, (SELECT COUNT(*) FROM s5)) AS visitors_5;
