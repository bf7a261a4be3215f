-- The ids of every record in one person's journey (their linked visitors' included): what
-- erasure deletes the derived records of (sentiment scores are keyed by source_id).
SELECT DISTINCT source_id
FROM reachops.journey_events
WHERE org_id = @org_id AND person_id = @person_id;
