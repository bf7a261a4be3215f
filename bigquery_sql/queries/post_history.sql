-- One post's public metrics over time: the latest @limit scrapes of it, one point per run,
-- oldest first. Tenant-scoped by @org_id; @scraped_from (the post's posting time, or the
-- earliest it can have been scraped) bounds the partitions read. NULL: the platform did not
-- report the count in that run.
SELECT
  run_id,
  scraped_at,
  views,
  likes,
  comments,
  shares
FROM (
  SELECT run_id, scraped_at, views, likes, comments, shares
  FROM reachops.post_snapshots
  WHERE org_id = @org_id
    AND platform = @platform
    AND platform_post_id = @platform_post_id
    AND scraped_at >= @scraped_from
  ORDER BY scraped_at DESC, run_id DESC
  LIMIT @limit
)
ORDER BY scraped_at, run_id;
