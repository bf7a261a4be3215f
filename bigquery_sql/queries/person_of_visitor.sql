-- The person an anonymous visitor is linked to (no row: none).
SELECT person_id
FROM reachops.person_visitors
WHERE org_id = @org_id AND visitor_id = @visitor_id;
