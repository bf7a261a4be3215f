-- One row per scrape of a creator's social profile (append-only; the latest row is current).
-- Written by an insert-only MERGE on (run_id, platform, username, scraped_at), so a replayed
-- run adds nothing; scraped_at (the run's finish time) is in the key, so the MERGE prunes to
-- the run's partition.
CREATE TABLE IF NOT EXISTS reachops.profile_snapshots (
  org_id STRING NOT NULL,
  creator_id STRING NOT NULL,
  platform STRING NOT NULL,
  username STRING NOT NULL,
  followers INT64,
  following INT64,
  posts_count INT64,
  engagement_rate FLOAT64,
  engagement_rate_posts INT64,
  scraped_at TIMESTAMP NOT NULL,
  run_id STRING NOT NULL,
  actor_id STRING NOT NULL
)
PARTITION BY DATE(scraped_at)
CLUSTER BY org_id, creator_id
OPTIONS (description = 'Scraped profile metrics; engagement_rate is NULL when it cannot be computed.');
