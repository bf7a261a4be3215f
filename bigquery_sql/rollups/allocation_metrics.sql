-- Recompute the allocation_metrics rows of one campaign (@org_id, @campaign_id), stamped
-- @computed_at. Idempotent: it reads current state only (latest snapshot of each post, current
-- matches and allocations), so running it twice, or after snapshots were replayed, writes the
-- same rows; rows of allocations that no longer exist are deleted.
--
-- Rules (the same in rollups/campaign_metrics.sql):
-- * A post counts when post_matches says is_campaign_content = TRUE for this campaign; its
--   figures come from its LATEST snapshot (ties on scraped_at broken by run_id), never a sum
--   across snapshots. A matched post not scraped yet counts in posts_count with unknown figures.
-- * reach, views, likes, comments, shares: the sum over posts that report the figure; NULL when
--   no post reports it. reach_posts_reported / views_posts_reported count the posts that do.
-- * engagement of a post = likes + comments + shares over the parts it reports (a NULL part,
--   e.g. hidden likes, is unknown and left out); NULL when it reports none of the three.
--   engagement sums the posts' engagement; engagement_complete is TRUE only when there is at
--   least one post and every post reported all three parts, so a partial sum is never mistaken
--   for a complete one.
-- * engagement rate of a post = its engagement / the creator's followers in the latest profile
--   snapshot at or before the post's snapshot (else the nearest one after it, as a profile and its
--   posts are scraped by separate runs of one monitoring pass); NULL when followers are unknown or 0.
--   avg_engagement_rate is the mean over posts with a rate (engagement_rate_posts of them).
-- * spend_minor = the agreed fee_minor once the allocation is accepted, active or completed;
--   NULL while pending, and when declined or cancelled (no fee is owed).
-- * cost_per_engagement_minor = spend_minor / engagement (NULL when engagement is 0 or NULL);
--   cpm_minor = spend_minor / views * 1000 (NULL when views are 0 or NULL). Minor units of
--   currency, as FLOAT64; currency_minor_units is the ISO 4217 exponent (see
--   shared/metrics/iso4217_minor_units.yaml, which this CASE mirrors).
MERGE reachops.allocation_metrics AS target
USING (
  WITH matched AS (
    SELECT org_id, allocation_id, creator_id, platform, platform_post_id
    FROM reachops.post_matches
    WHERE org_id = @org_id AND campaign_id = @campaign_id AND is_campaign_content
  ),

  latest_snapshot AS (
    SELECT
      s.org_id, s.platform, s.platform_post_id, s.likes, s.comments, s.shares, s.views,
      s.reach, s.scraped_at
    FROM reachops.post_snapshots AS s
    INNER JOIN matched AS m
      ON s.org_id = m.org_id
      AND s.platform = m.platform
      AND s.platform_post_id = m.platform_post_id
    WHERE s.org_id = @org_id
    QUALIFY ROW_NUMBER() OVER (
      PARTITION BY s.org_id, s.platform, s.platform_post_id
      ORDER BY s.scraped_at DESC, s.run_id DESC
    ) = 1
  ),

  posts AS (
    SELECT
      m.allocation_id,
      m.creator_id,
      m.platform,
      m.platform_post_id,
      l.scraped_at,
      l.reach,
      l.views,
      l.likes,
      l.comments,
      l.shares,
      CASE
        WHEN l.likes IS NULL AND l.comments IS NULL AND l.shares IS NULL THEN NULL
        ELSE COALESCE(l.likes, 0) + COALESCE(l.comments, 0) + COALESCE(l.shares, 0)
      END AS engagement,
      COALESCE(
        l.likes IS NOT NULL AND l.comments IS NOT NULL AND l.shares IS NOT NULL, FALSE
      ) AS engagement_complete
    FROM matched AS m
    LEFT JOIN latest_snapshot AS l
      ON m.org_id = l.org_id
      AND m.platform = l.platform
      AND m.platform_post_id = l.platform_post_id
  ),

  rated_posts AS (
    SELECT
      p.*,
      SAFE_DIVIDE(p.engagement, NULLIF(f.followers, 0)) AS engagement_rate
    FROM posts AS p
    LEFT JOIN reachops.profile_snapshots AS f
      ON f.org_id = @org_id
      AND f.creator_id = p.creator_id
      AND f.platform = p.platform
      AND f.followers IS NOT NULL
    WHERE TRUE
    QUALIFY ROW_NUMBER() OVER (
      PARTITION BY p.platform, p.platform_post_id
      ORDER BY
        IF(f.scraped_at <= p.scraped_at, 0, 1),
        ABS(TIMESTAMP_DIFF(p.scraped_at, f.scraped_at, SECOND)),
        f.run_id DESC
    ) = 1
  ),

  per_allocation AS (
    SELECT
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
      COUNT(engagement_rate) AS engagement_rate_posts
    FROM rated_posts
    GROUP BY allocation_id
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
      CASE
        WHEN a.currency IN (
          'BIF', 'CLP', 'DJF', 'GNF', 'ISK', 'JPY', 'KMF', 'KRW', 'PYG', 'RWF', 'UGX', 'UYI',
          'VND', 'VUV', 'XAF', 'XOF', 'XPF'
        ) THEN 0
        WHEN a.currency IN (
          'BHD', 'IQD', 'JOD', 'KWD', 'LYD', 'OMR', 'TND'
        ) THEN 3
        WHEN a.currency IN (
          'CLF', 'UYW'
        ) THEN 4
        WHEN a.currency IN (
          'AED', 'AFN', 'ALL', 'AMD', 'AOA', 'ARS', 'AUD', 'AWG', 'AZN', 'BAM', 'BBD', 'BDT',
          'BMD', 'BND', 'BOB', 'BOV', 'BRL', 'BSD', 'BTN', 'BWP', 'BYN', 'BZD', 'CAD', 'CDF',
          'CHE', 'CHF', 'CHW', 'CNY', 'COP', 'COU', 'CRC', 'CUP', 'CVE', 'CZK', 'DKK', 'DOP',
          'DZD', 'EGP', 'ERN', 'ETB', 'EUR', 'FJD', 'FKP', 'GBP', 'GEL', 'GHS', 'GIP', 'GMD',
          'GTQ', 'GYD', 'HKD', 'HNL', 'HTG', 'HUF', 'IDR', 'ILS', 'INR', 'IRR', 'JMD', 'KES',
          'KGS', 'KHR', 'KPW', 'KYD', 'KZT', 'LAK', 'LBP', 'LKR', 'LRD', 'LSL', 'MAD', 'MDL',
          'MGA', 'MKD', 'MMK', 'MNT', 'MOP', 'MRU', 'MUR', 'MVR', 'MWK', 'MXN', 'MXV', 'MYR',
          'MZN', 'NAD', 'NGN', 'NIO', 'NOK', 'NPR', 'NZD', 'PAB', 'PEN', 'PGK', 'PHP', 'PKR',
          'PLN', 'QAR', 'RON', 'RSD', 'RUB', 'SAR', 'SBD', 'SCR', 'SDG', 'SEK', 'SGD', 'SHP',
          'SLE', 'SOS', 'SRD', 'SSP', 'STN', 'SVC', 'SYP', 'SZL', 'THB', 'TJS', 'TMT', 'TOP',
          'TRY', 'TTD', 'TWD', 'TZS', 'UAH', 'USD', 'USN', 'UYU', 'UZS', 'VED', 'VES', 'WST',
          'XAD', 'XCD', 'XCG', 'YER', 'ZAR', 'ZMW', 'ZWG'
        ) THEN 2
      END AS currency_minor_units,
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
      CASE
        WHEN a.status IN ('accepted', 'active', 'completed') THEN a.fee_minor
      END AS spend_minor
    FROM reachops.allocations AS a
    LEFT JOIN per_allocation AS p ON a.allocation_id = p.allocation_id
    WHERE a.org_id = @org_id AND a.campaign_id = @campaign_id
  )

  SELECT
    *,
    SAFE_DIVIDE(CAST(spend_minor AS FLOAT64), engagement) AS cost_per_engagement_minor,
    SAFE_DIVIDE(CAST(spend_minor AS FLOAT64) * 1000, views) AS cpm_minor,
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
    spend_minor = source.spend_minor,
    cost_per_engagement_minor = source.cost_per_engagement_minor,
    cpm_minor = source.cpm_minor,
    computed_at = source.computed_at
WHEN NOT MATCHED THEN
  INSERT (
    org_id, campaign_id, allocation_id, creator_id, platform, status, currency,
    currency_minor_units, posts_count, reach, reach_posts_reported, views, views_posts_reported,
    likes, comments, shares, engagement, engagement_posts_reported, engagement_complete,
    avg_engagement_rate, engagement_rate_posts, spend_minor, cost_per_engagement_minor,
    cpm_minor, computed_at
  )
  VALUES (
    source.org_id, source.campaign_id, source.allocation_id, source.creator_id, source.platform,
    source.status, source.currency, source.currency_minor_units, source.posts_count,
    source.reach, source.reach_posts_reported, source.views, source.views_posts_reported,
    source.likes, source.comments, source.shares, source.engagement,
    source.engagement_posts_reported, source.engagement_complete, source.avg_engagement_rate,
    source.engagement_rate_posts, source.spend_minor, source.cost_per_engagement_minor,
    source.cpm_minor, source.computed_at
  )
WHEN NOT MATCHED BY SOURCE AND target.org_id = @org_id AND target.campaign_id = @campaign_id THEN
  DELETE;
