-- Which of these event ids a site has already stored (a resend is a duplicate, not a new event).
-- An event is accepted only within its source's window (72 hours for browsers, 90 days for
-- server-side conversions), so the partitions from @since_date hold every copy it may have.
SELECT DISTINCT event_id
FROM reachops.track_events
WHERE DATE(occurred_at) >= @since_date
  AND org_id = @org_id
  AND site_id = @site_id
  AND event_id IN UNNEST(@event_ids)
