-- One row per creator profile (org, creator, platform), from its latest profile snapshot:
-- followers, engagement rate, size tier, and the engagement rate relative to the median of the
-- creators of the same tier, on the same platform, in the same organization (engagement rates
-- differ too much between platforms to share a median).
-- Tiers by followers come from reachops.ref_creator_tiers (seeded from
-- shared/metrics/definitions.yaml: micro, mid-tier, macro, mega; each lower bound included);
-- NULL below the smallest tier or when followers are unknown.
-- The median is exact (PERCENTILE_CONT at 0.5, the mean of the two middle values for an even
-- count) over the creators whose engagement rate is known, the creator included; NULL when the
-- tier is NULL. engagement_rate_vs_tier_median = engagement_rate / median (1.0 = at the median);
-- NULL when either is unknown or the median is 0. shared/metrics/scoring.py computes the same.
CREATE OR REPLACE VIEW reachops.creator_performance AS
WITH latest_snapshot AS (
  SELECT
    org_id,
    creator_id,
    platform,
    username,
    followers,
    engagement_rate,
    engagement_rate_posts,
    scraped_at
  FROM reachops.profile_snapshots
  WHERE TRUE
  QUALIFY ROW_NUMBER() OVER (
    PARTITION BY org_id, creator_id, platform
    ORDER BY scraped_at DESC, run_id DESC
  ) = 1
),

latest AS (
  SELECT s.*, t.tier
  FROM latest_snapshot AS s
  LEFT JOIN reachops.ref_creator_tiers AS t
    ON s.followers >= t.min_followers
    AND (t.max_followers IS NULL OR s.followers < t.max_followers)
),

with_median AS (
  SELECT
    *,
    PERCENTILE_CONT(engagement_rate, 0.5) OVER (
      PARTITION BY org_id, platform, tier
    ) AS tier_median,
    COUNT(engagement_rate) OVER (PARTITION BY org_id, platform, tier) AS tier_rates
  FROM latest
)

SELECT
  org_id,
  creator_id,
  platform,
  username,
  followers,
  engagement_rate,
  engagement_rate_posts,
  scraped_at AS profile_scraped_at,
  tier,
  CASE WHEN tier IS NOT NULL THEN tier_rates END AS tier_creators_with_rate,
  CASE WHEN tier IS NOT NULL THEN tier_median END AS tier_median_engagement_rate,
  CASE
    WHEN tier IS NOT NULL THEN SAFE_DIVIDE(engagement_rate, tier_median)
  END AS engagement_rate_vs_tier_median
FROM with_median;
