-- One org's candidate touches (reachops.attribution_touches, 90 days before each conversion) of
-- the conversions from @from_at to @until_at, for models at a look-back or half-life the views
-- do not use (shared/attribution/paths.py). @event_type NULL reads every conversion type.
SELECT *
FROM reachops.attribution_touches
WHERE
  org_id = @org_id
  AND occurred_at >= @from_at
  AND occurred_at < @until_at
  AND (@event_type IS NULL OR event_type = @event_type)
ORDER BY conversion_id, started_at, site_id, session_id;
