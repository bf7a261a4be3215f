-- The visitors linked to one person, first linked first.
SELECT visitor_id
FROM reachops.person_visitors
WHERE org_id = @org_id AND person_id = @person_id
ORDER BY linked_at, visitor_id;
