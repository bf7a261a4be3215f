-- A person's social identities, one row per (org_id, platform, handle): the public handle
-- (shared/people/handles.py normalise_handle: lower case, no leading @) a person carries on a
-- platform, set on POST /v1/people or PATCH /v1/people/{id}. The journey view joins it to
-- reachops.post_comments.author_username (stored with the same normalisation), so every comment
-- the handle wrote on the organization's campaign posts, earlier ones included, is one of the
-- person's social_engage events. A handle is one person's (claimed in Firestore first); erased
-- with the person. updated_at: when this row was last written (the merge keeps the latest).
CREATE TABLE IF NOT EXISTS reachops.person_social_handles (
  org_id STRING NOT NULL,
  person_id STRING NOT NULL,
  platform STRING NOT NULL,
  handle STRING NOT NULL,
  added_at TIMESTAMP NOT NULL,
  updated_at TIMESTAMP NOT NULL
)
CLUSTER BY org_id, platform, handle
OPTIONS (description = 'Social handles of persons (platform + normalised handle), one row per handle.');
