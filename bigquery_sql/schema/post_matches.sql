-- Current campaign-match state of each post for each campaign it was checked against
-- (MERGEd on org_id, campaign_id, platform, platform_post_id).
-- disclosed: whether the post is disclosed as paid content (a disclosure marker or the
-- platform's paid-partnership label); NULL for a match recorded before disclosure was checked.
-- disclosure_markers: the markers found, as listed in shared/detection/disclosure_markers.yaml,
-- and 'platform paid-partnership label'; weak_disclosure_markers: ambiguous ones (#pr, #collab)
-- that were found but do not disclose.
-- Not partitioned: latest state, one row per (campaign, post), MERGEd on a key with no date (a
-- partition by updated_at would move each row at each decision and keep the MERGE from
-- pruning); clustered by org_id and campaign_id.
CREATE TABLE IF NOT EXISTS reachops.post_matches (
  org_id STRING NOT NULL,
  campaign_id STRING NOT NULL,
  allocation_id STRING NOT NULL,
  creator_id STRING NOT NULL,
  platform STRING NOT NULL,
  platform_post_id STRING NOT NULL,
  confidence FLOAT64 NOT NULL,
  decision STRING NOT NULL,
  is_campaign_content BOOL NOT NULL,
  disclosed BOOL,
  disclosure_markers ARRAY<STRING>,
  weak_disclosure_markers ARRAY<STRING>,
  updated_at TIMESTAMP NOT NULL
)
CLUSTER BY org_id, campaign_id
OPTIONS (description = 'decision: auto (detection), confirmed or rejected (a person; always wins). disclosed: NULL = not checked yet.');

-- Columns added after the table was first deployed (no-ops on a table created from the DDL
-- above).
ALTER TABLE reachops.post_matches ADD COLUMN IF NOT EXISTS disclosed BOOL;
ALTER TABLE reachops.post_matches ADD COLUMN IF NOT EXISTS disclosure_markers ARRAY<STRING>;
ALTER TABLE reachops.post_matches ADD COLUMN IF NOT EXISTS weak_disclosure_markers ARRAY<STRING>;
