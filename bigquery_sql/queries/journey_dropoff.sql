-- Where journeys stop, over a range of UTC days (@from_date..@to_date, both included): per
-- journey (a person's, or an anonymous visitor's) its furthest stage (by stage_rank, the
-- funnel order of reachops.ref_journey_events) and its last event. One row per (furthest
-- stage, last event) with the number of journeys; the caller sums them into the funnel.
WITH steps AS (
  SELECT
    COALESCE(person_id, CONCAT('visitor:', visitor_id)) AS journey,
    occurred_at,
    source_id,
    event,
    stage,
    stage_rank
  FROM reachops.journey_events
  WHERE DATE(occurred_at) BETWEEN @from_date AND @to_date
    AND org_id = @org_id
    AND (person_id IS NOT NULL OR visitor_id IS NOT NULL)
),

journeys AS (
  SELECT
    journey,
    MAX(stage_rank) AS furthest_rank,
    ARRAY_AGG(event ORDER BY occurred_at DESC, source_id DESC)[OFFSET(0)] AS last_event
  FROM steps
  GROUP BY journey
)

SELECT
  j.furthest_rank AS stage_rank,
  j.last_event,
  COUNT(*) AS journeys
FROM journeys AS j
GROUP BY j.furthest_rank, j.last_event
ORDER BY stage_rank, last_event
