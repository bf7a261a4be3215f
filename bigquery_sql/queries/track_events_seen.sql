-- Which of these event ids a site has already stored (a resend is a duplicate, not a new event).
-- Events are at most 72 hours old when accepted, so the partitions from @since_date hold them all.
SELECT DISTINCT event_id
FROM reachops.track_events
WHERE DATE(occurred_at) >= @since_date
  AND org_id = @org_id
  AND site_id = @site_id
  AND event_id IN UNNEST(@event_ids)
