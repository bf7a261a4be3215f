-- Tracked events once each: one row per (org_id, site_id, event_id) and occurred_at, the
-- earliest received. Events are appended with no key check (the BigQuery Storage Write API in
-- production, exactly-once per stream offset only; a DuckDB Appender locally), so a browser's
-- resend, or a batch re-sent on a new stream after an append failed midway, is stored again:
-- the table may hold an event more than once, and this view counts it once. Count events here,
-- never in the table.
-- Filter on occurred_at (track_events' partition column): a resend carries the event's own
-- occurred_at, so it is in the window's partition and the filter prunes the scan.
CREATE OR REPLACE VIEW reachops.track_events_unique AS
SELECT *
FROM reachops.track_events
QUALIFY ROW_NUMBER() OVER (
  PARTITION BY org_id, site_id, event_id, occurred_at ORDER BY received_at
) = 1;
