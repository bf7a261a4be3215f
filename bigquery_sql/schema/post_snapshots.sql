-- One row per scrape of a post's public metrics (append-only). Hidden counts stay NULL.
-- Written by an insert-only MERGE on (run_id, platform, platform_post_id, scraped_at), so a
-- replayed run adds nothing; scraped_at (the run's finish time) is in the key, so the MERGE
-- prunes to the run's partition.
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
