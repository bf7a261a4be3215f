-- Which of these event ids a site has already stored: server-side intake only (POST
-- /v1/conversions, the Meta lead webhook), which answers a resend with the stored conversion;
-- a browser's beacon never runs it (shared/tracking/intake.py). An event is accepted only
-- within its source's window (90 days for server-side conversions), so the partitions from
-- @since_date hold every copy it may have.
SELECT DISTINCT event_id
FROM reachops.track_events
WHERE DATE(occurred_at) >= @since_date
  AND org_id = @org_id
  AND site_id = @site_id
  AND event_id IN UNNEST(@event_ids)
