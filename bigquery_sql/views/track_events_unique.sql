-- Tracked events once each: one row per (org_id, site_id, event_id) and occurred_at, the
-- earliest received. Production appends events through the BigQuery Storage Write API, which
-- is exactly-once per stream offset only; the intake drops the event ids it already stores,
-- but a resend racing its original past that check, or a batch re-sent on a new stream after
-- an append failed midway, can store an event twice. Count events here, not in the table.
-- Filter on occurred_at (track_events' partition column): a resend carries the event's own
-- occurred_at, so it is in the window's partition and the filter prunes the scan.
CREATE OR REPLACE VIEW reachops.track_events_unique AS
SELECT *
FROM reachops.track_events
QUALIFY ROW_NUMBER() OVER (
  PARTITION BY org_id, site_id, event_id, occurred_at ORDER BY received_at
) = 1;
