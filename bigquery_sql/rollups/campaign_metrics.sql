-- Recompute the campaign_metrics row of one campaign (@org_id, @campaign_id), stamped
-- @computed_at. Idempotent: it reads current state only, so running it twice, or after
-- snapshots were replayed, writes the same row. It always writes one row, with posts_count 0
-- and NULL figures while nothing is known.
--
-- The post rules are the ones documented in rollups/allocation_metrics.sql: campaign posts are
-- those post_matches marks is_campaign_content = TRUE, each read from its LATEST snapshot; a
-- figure is the sum over the posts that report it and NULL when none does; engagement sums the
-- known parts of likes + comments + shares and engagement_complete says whether every part of
-- every post was known; engagement rates use the latest profile snapshot at or before the
-- post's snapshot, else the nearest one after it. Posts count here whatever the state of their allocation.
--
-- Spend: the sum of fee_minor over the accepted, active and completed allocations
-- (spend_allocations of them). They must share one currency: with several
-- (spend_currencies > 1) spend_minor, currency and the cost ratios are NULL, since no exchange
-- rate is applied; with none, they are NULL too.
MERGE reachops.campaign_metrics AS target
USING (
  WITH matched AS (
    SELECT org_id, creator_id, platform, platform_post_id
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

  post_totals AS (
    SELECT
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
      COALESCE(LOGICAL_AND(engagement_complete), FALSE) AS engagement_complete,
      AVG(engagement_rate) AS avg_engagement_rate,
      COUNT(engagement_rate) AS engagement_rate_posts
    FROM rated_posts
  ),

  spend AS (
    SELECT
      COUNT(*) AS spend_allocations,
      COUNT(DISTINCT currency) AS spend_currencies,
      MIN(currency) AS currency,
      SUM(fee_minor) AS fee_minor
    FROM reachops.allocations
    WHERE org_id = @org_id
      AND campaign_id = @campaign_id
      AND status IN ('accepted', 'active', 'completed')
  ),

  campaign AS (
    SELECT
      CAST(@org_id AS STRING) AS org_id,
      CAST(@campaign_id AS STRING) AS campaign_id,
      CASE WHEN s.spend_currencies = 1 THEN s.currency END AS currency,
      s.spend_allocations,
      s.spend_currencies,
      CASE WHEN s.spend_currencies = 1 THEN s.fee_minor END AS spend_minor,
      t.*
    FROM post_totals AS t
    CROSS JOIN spend AS s
  )

  SELECT
    *,
    CASE
      WHEN currency IN (
        'BIF', 'CLP', 'DJF', 'GNF', 'ISK', 'JPY', 'KMF', 'KRW', 'PYG', 'RWF', 'UGX', 'UYI',
        'VND', 'VUV', 'XAF', 'XOF', 'XPF'
      ) THEN 0
      WHEN currency IN (
        'BHD', 'IQD', 'JOD', 'KWD', 'LYD', 'OMR', 'TND'
      ) THEN 3
      WHEN currency IN (
        'CLF', 'UYW'
      ) THEN 4
      WHEN currency IN (
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
    SAFE_DIVIDE(CAST(spend_minor AS FLOAT64), engagement) AS cost_per_engagement_minor,
    SAFE_DIVIDE(CAST(spend_minor AS FLOAT64) * 1000, views) AS cpm_minor,
    CAST(@computed_at AS TIMESTAMP) AS computed_at
  FROM campaign
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
    spend_minor = source.spend_minor,
    cost_per_engagement_minor = source.cost_per_engagement_minor,
    cpm_minor = source.cpm_minor,
    computed_at = source.computed_at
WHEN NOT MATCHED THEN
  INSERT (
    org_id, campaign_id, currency, currency_minor_units, spend_allocations, spend_currencies,
    posts_count, reach, reach_posts_reported, views, views_posts_reported, likes, comments,
    shares, engagement, engagement_posts_reported, engagement_complete, avg_engagement_rate,
    engagement_rate_posts, spend_minor, cost_per_engagement_minor, cpm_minor, computed_at
  )
  VALUES (
    source.org_id, source.campaign_id, source.currency, source.currency_minor_units,
    source.spend_allocations, source.spend_currencies, source.posts_count, source.reach,
    source.reach_posts_reported, source.views, source.views_posts_reported, source.likes,
    source.comments, source.shares, source.engagement, source.engagement_posts_reported,
    source.engagement_complete, source.avg_engagement_rate, source.engagement_rate_posts,
    source.spend_minor, source.cost_per_engagement_minor, source.cpm_minor, source.computed_at
  );
