-- One row per scrape of a post's public metrics (append-only). Hidden counts stay NULL.
CREATE TABLE IF NOT EXISTS reachops.post_snapshots (
  org_id STRING NOT NULL,
  creator_id STRING NOT NULL,
  platform STRING NOT NULL,
  platform_post_id STRING NOT NULL,
  url STRING,
  posted_at TIMESTAMP,
  likes INT64,
  comments INT64,
  shares INT64,
  views INT64,
  reach INT64,
  scraped_at TIMESTAMP NOT NULL,
  run_id STRING NOT NULL,
  actor_id STRING NOT NULL
)
PARTITION BY DATE(scraped_at)
CLUSTER BY org_id, creator_id
OPTIONS (description = 'Scraped post metrics; NULL means the platform did not report the count.');
