-- Form responses, one row per (org_id, response_id), written once by feedback_api
-- (POST /v1/forms/{form_id}/responses) after its Firestore record (orgs/{org}/form_responses,
-- the source of truth; the form's fields are in orgs/{org}/forms). The MERGE key also holds
-- created_at (the partition column, fixed at intake).
--
-- * fields_json: the answers by field name, as JSON, WITHOUT the form's email field (its
--   address only resolves person_id and is never stored in clear).
-- * person_id: the person the email field named; NULL when the response named none.
-- * channel: web, email, sms, social, in_app, phone or other.
CREATE TABLE IF NOT EXISTS reachops.form_responses (
  org_id STRING NOT NULL,
  form_id STRING NOT NULL,
  response_id STRING NOT NULL,
  person_id STRING,
  visitor_id STRING,
  fields_json STRING NOT NULL,
  channel STRING NOT NULL,
  created_at TIMESTAMP NOT NULL
)
PARTITION BY DATE(created_at)
CLUSTER BY org_id, form_id
OPTIONS (description = 'Form responses (answers as JSON, the email field left out), one row per response.');
