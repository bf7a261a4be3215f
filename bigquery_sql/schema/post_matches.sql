-- Current campaign-match state of each post for each campaign it was checked against
-- (MERGEd on org_id, campaign_id, platform, platform_post_id).
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
  updated_at TIMESTAMP NOT NULL
)
PARTITION BY DATE(updated_at)
CLUSTER BY org_id, campaign_id
OPTIONS (description = 'decision: auto (detection), confirmed or rejected (a person; always wins).');
