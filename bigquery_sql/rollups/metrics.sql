-- Recompute allocation_metrics and campaign_metrics for a set of campaigns of one organization
-- (@org_id, @campaign_ids: ARRAY<STRING>), stamped @computed_at. One script, set-based: one
-- campaign after a detection and every stale campaign of an organization in a scheduled pass
-- cost the same few statements, and each post's figures are worked out once for both tables.
-- Idempotent: it reads current state only (latest snapshot of each post, current matches and
-- allocations), so running it twice, or after snapshots were replayed, writes the same rows;
-- rows of allocations that no longer exist are deleted. Both MERGEs run in one transaction, so
-- a reader never sees a campaign's totals from one run beside its allocations from another.
--
-- Rules:
-- * A post counts when post_matches says is_campaign_content = TRUE for the campaign; its
--   figures come from its LATEST snapshot (ties on scraped_at broken by run_id), never a sum
--   across snapshots. A matched post not scraped yet counts in posts_count with unknown figures.
-- * reach, views, likes, comments, shares: the sum over posts that report the figure; NULL when
--   no post reports it. *_posts_reported count the posts that do.
-- * engagement (the engagements formula, shared/metrics/formulas.py) = likes + comments + shares
--   over the parts a post reports; engagement sums it and engagement_complete is TRUE only when
--   there is at least one post and every post reported all three parts.
-- * engagement rate of a post (the engagement_rate formula) = (likes + comments) / followers,
--   when likes and comments are both known, with the creator's followers from the latest profile
--   snapshot at or before the post's snapshot (else the nearest one after it, as a profile and
--   its posts are scraped by separate runs of one monitoring pass). avg_engagement_rate is the
--   mean over the posts with a rate (engagement_rate_posts of them).
-- * undisclosed_posts: campaign posts whose match says disclosed = FALSE (no ad disclosure was
--   found). A match with disclosed NULL has not been checked yet: it is unknown, not undisclosed,
--   and counts in disclosure_unchecked_posts instead.
-- * Allocation spend_minor = the agreed fee_minor once accepted, active or completed; NULL while
--   pending, declined or cancelled. Campaign spend = the sum over those allocations, which must
--   share one currency (spend_currencies > 1 gives NULL spend, currency and cost ratios: no
--   exchange rate is applied). Posts count for the campaign whatever their allocation's state.
-- * cost_per_engagement_minor = spend / engagement; cpm_minor = spend / views * 1000, with
--   views summed over the posts that report them (views_posts_reported of posts_count). Minor
--   units, FLOAT64; currency_minor_units from reachops.ref_currency_minor_units.
CREATE TEMP TABLE rollup_posts AS
WITH wanted AS (
  SELECT DISTINCT campaign_id FROM UNNEST(@campaign_ids) AS campaign_id
),

matched AS (
  SELECT
    m.campaign_id, m.allocation_id, m.creator_id, m.platform, m.platform_post_id, m.disclosed
  FROM reachops.post_matches AS m
  INNER JOIN wanted AS w ON m.campaign_id = w.campaign_id
  WHERE m.org_id = @org_id AND m.is_campaign_content
),

matched_posts AS (
  SELECT DISTINCT platform, platform_post_id FROM matched
),

latest_snapshot AS (
  SELECT
    s.creator_id, s.platform, s.platform_post_id, s.likes, s.comments, s.shares, s.views,
    s.reach, s.scraped_at
  FROM reachops.post_snapshots AS s
  INNER JOIN matched_posts AS p
    ON s.platform = p.platform AND s.platform_post_id = p.platform_post_id
  WHERE s.org_id = @org_id
  QUALIFY ROW_NUMBER() OVER (
    PARTITION BY s.platform, s.platform_post_id
    ORDER BY s.scraped_at DESC, s.run_id DESC
  ) = 1
),

with_followers AS (
  SELECT l.*, f.followers
  FROM latest_snapshot AS l
  LEFT JOIN reachops.profile_snapshots AS f
    ON f.org_id = @org_id
    AND f.creator_id = l.creator_id
    AND f.platform = l.platform
    AND f.followers IS NOT NULL
  WHERE TRUE
  QUALIFY ROW_NUMBER() OVER (
    PARTITION BY l.platform, l.platform_post_id
    ORDER BY
      IF(f.scraped_at <= l.scraped_at, 0, 1),
      ABS(UNIX_MICROS(l.scraped_at) - UNIX_MICROS(f.scraped_at)),
      f.run_id DESC
  ) = 1
)

SELECT
  m.campaign_id,
  m.allocation_id,
  m.disclosed,
  p.reach,
  p.views,
  p.likes,
  p.comments,
  p.shares,
  {{ engagements(p.likes, p.comments, p.shares) }} AS engagement,
  COALESCE(
    p.likes IS NOT NULL AND p.comments IS NOT NULL AND p.shares IS NOT NULL, FALSE
  ) AS engagement_complete,
  {{ engagement_rate(p.likes, p.comments, p.followers) }} AS engagement_rate
FROM matched AS m
LEFT JOIN with_followers AS p
  ON m.platform = p.platform AND m.platform_post_id = p.platform_post_id;

BEGIN TRANSACTION;

MERGE reachops.allocation_metrics AS target
USING (
  WITH per_allocation AS (
    SELECT
      campaign_id,
      allocation_id,
      COUNT(*) AS posts_count,
      SUM(reach) AS reach,
      COUNT(reach) AS reach_posts_reported,
      SUM(views) AS views,
      COUNT(views) AS views_posts_reported,
      SUM(likes) AS likes,
      SUM(comments) AS comments,
      SUM(shares) AS shares,
      SUM(engagement) AS engagement,
      COUNT(engagement) AS engagement_posts_reported,
      LOGICAL_AND(engagement_complete) AS engagement_complete,
      AVG(engagement_rate) AS avg_engagement_rate,
      COUNT(engagement_rate) AS engagement_rate_posts,
      COUNTIF(disclosed = FALSE) AS undisclosed_posts,
      COUNTIF(disclosed IS NULL) AS disclosure_unchecked_posts
    FROM rollup_posts
    GROUP BY campaign_id, allocation_id
  ),

  allocation AS (
    SELECT
      a.org_id,
      a.campaign_id,
      a.allocation_id,
      a.creator_id,
      a.platform,
      a.status,
      a.currency,
      cu.minor_units AS currency_minor_units,
      COALESCE(p.posts_count, 0) AS posts_count,
      p.reach,
      COALESCE(p.reach_posts_reported, 0) AS reach_posts_reported,
      p.views,
      COALESCE(p.views_posts_reported, 0) AS views_posts_reported,
      p.likes,
      p.comments,
      p.shares,
      p.engagement,
      COALESCE(p.engagement_posts_reported, 0) AS engagement_posts_reported,
      COALESCE(p.engagement_complete, FALSE) AS engagement_complete,
      p.avg_engagement_rate,
      COALESCE(p.engagement_rate_posts, 0) AS engagement_rate_posts,
      COALESCE(p.undisclosed_posts, 0) AS undisclosed_posts,
      COALESCE(p.disclosure_unchecked_posts, 0) AS disclosure_unchecked_posts,
      CASE
        WHEN a.status IN ('accepted', 'active', 'completed') THEN a.fee_minor
      END AS spend_minor
    FROM reachops.allocations AS a
    INNER JOIN (SELECT DISTINCT campaign_id FROM UNNEST(@campaign_ids) AS campaign_id) AS w
      ON a.campaign_id = w.campaign_id
    LEFT JOIN per_allocation AS p
      ON a.campaign_id = p.campaign_id AND a.allocation_id = p.allocation_id
    LEFT JOIN reachops.ref_currency_minor_units AS cu ON a.currency = cu.currency
    WHERE a.org_id = @org_id
  )

  SELECT
    *,
    {{ cost_per_engagement_minor(spend_minor, engagement) }} AS cost_per_engagement_minor,
    {{ cpm_minor(spend_minor, views) }} AS cpm_minor,
    CAST(@computed_at AS TIMESTAMP) AS computed_at
  FROM allocation
) AS source
ON target.org_id = source.org_id
  AND target.campaign_id = source.campaign_id
  AND target.allocation_id = source.allocation_id
WHEN MATCHED THEN
  UPDATE SET
    creator_id = source.creator_id,
    platform = source.platform,
    status = source.status,
    currency = source.currency,
    currency_minor_units = source.currency_minor_units,
    posts_count = source.posts_count,
    reach = source.reach,
    reach_posts_reported = source.reach_posts_reported,
    views = source.views,
    views_posts_reported = source.views_posts_reported,
    likes = source.likes,
    comments = source.comments,
    shares = source.shares,
    engagement = source.engagement,
    engagement_posts_reported = source.engagement_posts_reported,
    engagement_complete = source.engagement_complete,
    avg_engagement_rate = source.avg_engagement_rate,
    engagement_rate_posts = source.engagement_rate_posts,
    undisclosed_posts = source.undisclosed_posts,
    disclosure_unchecked_posts = source.disclosure_unchecked_posts,
    spend_minor = source.spend_minor,
    cost_per_engagement_minor = source.cost_per_engagement_minor,
    cpm_minor = source.cpm_minor,
    computed_at = source.computed_at
WHEN NOT MATCHED THEN
  INSERT (
    org_id, campaign_id, allocation_id, creator_id, platform, status, currency,
    currency_minor_units, posts_count, reach, reach_posts_reported, views, views_posts_reported,
    likes, comments, shares, engagement, engagement_posts_reported, engagement_complete,
    avg_engagement_rate, engagement_rate_posts, undisclosed_posts, disclosure_unchecked_posts,
    spend_minor, cost_per_engagement_minor, cpm_minor, computed_at
  )
  VALUES (
    source.org_id, source.campaign_id, source.allocation_id, source.creator_id, source.platform,
    source.status, source.currency, source.currency_minor_units, source.posts_count,
    source.reach, source.reach_posts_reported, source.views, source.views_posts_reported,
    source.likes, source.comments, source.shares, source.engagement,
    source.engagement_posts_reported, source.engagement_complete, source.avg_engagement_rate,
    source.engagement_rate_posts, source.undisclosed_posts, source.disclosure_unchecked_posts,
    source.spend_minor, source.cost_per_engagement_minor, source.cpm_minor, source.computed_at
  );

-- Rows of allocations that no longer exist (a plain DELETE rather than a MERGE's NOT MATCHED BY
-- SOURCE clause, whose condition would have to test the campaign list row by row).
DELETE FROM reachops.allocation_metrics AS target
WHERE target.org_id = @org_id
  AND target.campaign_id IN (SELECT campaign_id FROM UNNEST(@campaign_ids) AS campaign_id)
  AND NOT EXISTS (
    SELECT 1
    FROM reachops.allocations AS a
    WHERE a.org_id = target.org_id
      AND a.campaign_id = target.campaign_id
      AND a.allocation_id = target.allocation_id
  );

MERGE reachops.campaign_metrics AS target
USING (
  WITH post_totals AS (
    SELECT
      campaign_id,
      COUNT(*) AS posts_count,
      SUM(reach) AS reach,
      COUNT(reach) AS reach_posts_reported,
      SUM(views) AS views,
      COUNT(views) AS views_posts_reported,
      SUM(likes) AS likes,
      SUM(comments) AS comments,
      SUM(shares) AS shares,
      SUM(engagement) AS engagement,
      COUNT(engagement) AS engagement_posts_reported,
      LOGICAL_AND(engagement_complete) AS engagement_complete,
      AVG(engagement_rate) AS avg_engagement_rate,
      COUNT(engagement_rate) AS engagement_rate_posts,
      COUNTIF(disclosed = FALSE) AS undisclosed_posts,
      COUNTIF(disclosed IS NULL) AS disclosure_unchecked_posts
    FROM rollup_posts
    GROUP BY campaign_id
  ),

  spend AS (
    SELECT
      campaign_id,
      COUNT(*) AS spend_allocations,
      COUNT(DISTINCT currency) AS spend_currencies,
      MIN(currency) AS currency,
      SUM(fee_minor) AS fee_minor
    FROM reachops.allocations
    WHERE org_id = @org_id
      AND campaign_id IN (SELECT campaign_id FROM UNNEST(@campaign_ids) AS campaign_id)
      AND status IN ('accepted', 'active', 'completed')
    GROUP BY campaign_id
  ),

  campaign AS (
    SELECT
      CAST(@org_id AS STRING) AS org_id,
      w.campaign_id,
      CASE WHEN s.spend_currencies = 1 THEN s.currency END AS currency,
      COALESCE(s.spend_allocations, 0) AS spend_allocations,
      COALESCE(s.spend_currencies, 0) AS spend_currencies,
      CASE WHEN s.spend_currencies = 1 THEN s.fee_minor END AS spend_minor,
      COALESCE(t.posts_count, 0) AS posts_count,
      t.reach,
      COALESCE(t.reach_posts_reported, 0) AS reach_posts_reported,
      t.views,
      COALESCE(t.views_posts_reported, 0) AS views_posts_reported,
      t.likes,
      t.comments,
      t.shares,
      t.engagement,
      COALESCE(t.engagement_posts_reported, 0) AS engagement_posts_reported,
      COALESCE(t.engagement_complete, FALSE) AS engagement_complete,
      t.avg_engagement_rate,
      COALESCE(t.engagement_rate_posts, 0) AS engagement_rate_posts,
      COALESCE(t.undisclosed_posts, 0) AS undisclosed_posts,
      COALESCE(t.disclosure_unchecked_posts, 0) AS disclosure_unchecked_posts
    FROM (SELECT DISTINCT campaign_id FROM UNNEST(@campaign_ids) AS campaign_id) AS w
    LEFT JOIN post_totals AS t ON w.campaign_id = t.campaign_id
    LEFT JOIN spend AS s ON w.campaign_id = s.campaign_id
  )

  SELECT
    c.*,
    cu.minor_units AS currency_minor_units,
    {{ cost_per_engagement_minor(c.spend_minor, c.engagement) }} AS cost_per_engagement_minor,
    {{ cpm_minor(c.spend_minor, c.views) }} AS cpm_minor,
    CAST(@computed_at AS TIMESTAMP) AS computed_at
  FROM campaign AS c
  LEFT JOIN reachops.ref_currency_minor_units AS cu ON c.currency = cu.currency
) AS source
ON target.org_id = source.org_id AND target.campaign_id = source.campaign_id
WHEN MATCHED THEN
  UPDATE SET
    currency = source.currency,
    currency_minor_units = source.currency_minor_units,
    spend_allocations = source.spend_allocations,
    spend_currencies = source.spend_currencies,
    posts_count = source.posts_count,
    reach = source.reach,
    reach_posts_reported = source.reach_posts_reported,
    views = source.views,
    views_posts_reported = source.views_posts_reported,
    likes = source.likes,
    comments = source.comments,
    shares = source.shares,
    engagement = source.engagement,
    engagement_posts_reported = source.engagement_posts_reported,
    engagement_complete = source.engagement_complete,
    avg_engagement_rate = source.avg_engagement_rate,
    engagement_rate_posts = source.engagement_rate_posts,
    undisclosed_posts = source.undisclosed_posts,
    disclosure_unchecked_posts = source.disclosure_unchecked_posts,
    spend_minor = source.spend_minor,
    cost_per_engagement_minor = source.cost_per_engagement_minor,
    cpm_minor = source.cpm_minor,
    computed_at = source.computed_at
WHEN NOT MATCHED THEN
  INSERT (
    org_id, campaign_id, currency, currency_minor_units, spend_allocations, spend_currencies,
    posts_count, reach, reach_posts_reported, views, views_posts_reported, likes, comments,
    shares, engagement, engagement_posts_reported, engagement_complete, avg_engagement_rate,
    engagement_rate_posts, undisclosed_posts, disclosure_unchecked_posts, spend_minor,
    cost_per_engagement_minor, cpm_minor, computed_at
  )
  VALUES (
    source.org_id, source.campaign_id, source.currency, source.currency_minor_units,
    source.spend_allocations, source.spend_currencies, source.posts_count, source.reach,
    source.reach_posts_reported, source.views, source.views_posts_reported, source.likes,
    source.comments, source.shares, source.engagement, source.engagement_posts_reported,
    source.engagement_complete, source.avg_engagement_rate, source.engagement_rate_posts,
    source.undisclosed_posts, source.disclosure_unchecked_posts, source.spend_minor,
    source.cost_per_engagement_minor, source.cpm_minor, source.computed_at
  );

COMMIT TRANSACTION;

DROP TABLE rollup_posts;
