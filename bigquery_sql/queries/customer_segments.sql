-- The segments a person currently belongs to (reachops.segment_members), newest computation first.
SELECT segment_id, computed_at
FROM reachops.segment_members
WHERE org_id = @org_id
  AND person_id = @person_id
ORDER BY computed_at DESC, segment_id
