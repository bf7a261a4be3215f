-- One row per scrape of a creator's social profile (append-only; the latest row is current).
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
