-- The public metrics over time of a campaign's posts (post_matches that are campaign content and
-- not rejected by a person): one row per post and scrape, oldest first, for the report's
-- "creator posts and their growth" chart, scraped in [@scraped_from, @scraped_until).
-- Tenant-scoped by @org_id. NULL: the platform did not report the count in that run.
SELECT
  m.allocation_id,
  m.creator_id,
  s.platform,
  s.platform_post_id,
  s.scraped_at,
  s.views,
  s.likes,
  s.comments,
  s.shares
FROM reachops.post_matches AS m
JOIN reachops.post_snapshots AS s
  ON s.org_id = m.org_id
  AND s.platform = m.platform
  AND s.platform_post_id = m.platform_post_id
WHERE m.org_id = @org_id
  AND m.campaign_id = @campaign_id
  AND m.is_campaign_content
  AND m.decision != 'rejected'
  AND s.scraped_at >= @scraped_from
  AND s.scraped_at < @scraped_until
ORDER BY s.platform_post_id, s.scraped_at;
