-- Persons, one row per (org_id, person_id): the warehouse's copy of orgs/{org}/people for joins
-- (segments, scores). email_hash is the keyed HMAC-SHA256 of the normalised email
-- (shared/people/pii.py); the email itself is never in the warehouse. Erased rows are deleted.
CREATE TABLE IF NOT EXISTS reachops.people (
  org_id STRING NOT NULL,
  person_id STRING NOT NULL,
  email_hash STRING,
  created_at TIMESTAMP NOT NULL,
  updated_at TIMESTAMP NOT NULL
)
CLUSTER BY org_id, person_id
OPTIONS (description = 'Persons (mirror of Firestore), one row per person; emails only as a keyed hash.');
