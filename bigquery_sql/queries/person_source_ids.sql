-- The ids of every record in one person's journey (their linked visitors' included) but public
-- content's (@public_events: the events only public content becomes, shared/people/journey_map.yaml
-- public_origins): what erasure deletes the derived records of (sentiment scores are keyed by
-- source_id).
SELECT DISTINCT source_id
FROM reachops.journey_events
WHERE org_id = @org_id AND person_id = @person_id AND event NOT IN UNNEST(@public_events);
