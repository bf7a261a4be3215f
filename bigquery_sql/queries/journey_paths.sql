-- The most common paths of @n consecutive steps (n-grams) in the journeys of a range of UTC
-- days (@from_date..@to_date, both included). A journey is a person's, or an anonymous
-- visitor's; a step is its stage (@level = 'stage') or its event, with repeats of the same
-- step in a row collapsed into one (five page views are one awareness step). Counted once per
-- journey that holds the path (journeys) and per occurrence. Bounded: the top @max_paths, and
-- `total` is the number of journeys with at least @n steps (the same on every row).
WITH steps AS (
  SELECT
    COALESCE(person_id, CONCAT('visitor:', visitor_id)) AS journey,
    occurred_at,
    source_id,
    IF(@level = 'stage', stage, event) AS step
  FROM reachops.journey_events
  WHERE DATE(occurred_at) BETWEEN @from_date AND @to_date
    AND org_id = @org_id
    AND (person_id IS NOT NULL OR visitor_id IS NOT NULL)
),

changes AS (
  SELECT
    journey,
    occurred_at,
    source_id,
    step,
    LAG(step) OVER (PARTITION BY journey ORDER BY occurred_at, source_id) AS previous
  FROM steps
),

collapsed AS (
  SELECT
    journey,
    step,
    ROW_NUMBER() OVER (PARTITION BY journey ORDER BY occurred_at, source_id) AS position
  FROM changes
  WHERE previous IS NULL OR previous != step
),

grams AS (
  SELECT
    first.journey,
    ARRAY_TO_STRING(
      ARRAY_AGG(later.step ORDER BY later.position), ' > '
    ) AS path,
    COUNT(*) AS length
  FROM collapsed AS first
  JOIN collapsed AS later
    ON later.journey = first.journey
    AND later.position BETWEEN first.position AND first.position + @n - 1
  GROUP BY first.journey, first.position
),

complete AS (
  SELECT journey, path FROM grams WHERE length = @n
)

SELECT
  path,
  COUNT(DISTINCT journey) AS journeys,
  COUNT(*) AS occurrences,
  (SELECT COUNT(DISTINCT journey) FROM complete) AS total
FROM complete
GROUP BY path
ORDER BY journeys DESC, occurrences DESC, path
LIMIT @max_paths
