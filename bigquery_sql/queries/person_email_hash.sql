-- A person's email hash as the warehouse holds it (what erasure needs when the person's
-- Firestore document is already gone).
SELECT email_hash
FROM reachops.people
WHERE org_id = @org_id AND person_id = @person_id;
