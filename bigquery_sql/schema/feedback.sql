-- Feedback (a rating with its scale, optional text), one row per (org_id, feedback_id), written
-- once by feedback_api (POST /v1/feedback) after its Firestore record (orgs/{org}/feedback, the
-- source of truth). The MERGE key also holds created_at (the partition column, fixed at intake).
--
-- * scale: 'nps_0_10' (rating 0-10) or 'stars_1_5' (rating 1-5); rating is the answer as given.
-- * rating_0_10: the rating on 0-10 (shared/insights/nps.py: 1-5 maps by (rating - 1) * 2.5),
--   what NPS reads (promoters >= 9, passives >= 7).
-- * person_id: the person it names (a person_id sent, or the one an email resolved to); NULL
--   when anonymous. Emails are never stored (people holds their keyed hash).
-- * channel: web, email, sms, social, in_app, phone or other.
CREATE TABLE IF NOT EXISTS reachops.feedback (
  org_id STRING NOT NULL,
  feedback_id STRING NOT NULL,
  person_id STRING,
  visitor_id STRING,
  rating INT64 NOT NULL,
  scale STRING NOT NULL,
  rating_0_10 FLOAT64 NOT NULL,
  text STRING,
  channel STRING NOT NULL,
  created_at TIMESTAMP NOT NULL
)
PARTITION BY DATE(created_at)
CLUSTER BY org_id, person_id
OPTIONS (description = 'Feedback ratings (NPS 0-10 or stars 1-5, with rating_0_10) and their text, one row per feedback.');
