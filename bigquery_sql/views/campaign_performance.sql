-- One row per campaign: its performance (campaign_metrics) with the cost ratios in major units,
-- a campaign-level rating on cost per engagement, and how many of its allocations earn each
-- rating. Reads the metrics tables only (no view on a view), so views can be created in any
-- order.
-- Ratings use the DEFAULT thresholds of reachops.ref_cpe_thresholds (seeded from
-- shared/metrics/definitions.yaml; major units of currency per engagement), compared in minor
-- units. Organizations can set their own thresholds per platform in the app
-- (shared/metrics/scoring.py, thresholds_for); this view does not know them.
CREATE OR REPLACE VIEW reachops.campaign_performance AS
WITH allocation_ratings AS (
  SELECT
    org_id,
    campaign_id,
    COUNTIF(
      cost_per_engagement_minor < t.strong_below * POW(10, currency_minor_units)
    ) AS strong_allocations,
    COUNTIF(
      cost_per_engagement_minor >= t.strong_below * POW(10, currency_minor_units)
      AND cost_per_engagement_minor <= t.underperforming_above * POW(10, currency_minor_units)
    ) AS average_allocations,
    COUNTIF(
      cost_per_engagement_minor > t.underperforming_above * POW(10, currency_minor_units)
    ) AS underperforming_allocations,
    COUNTIF(
      spend_minor IS NOT NULL
      AND (cost_per_engagement_minor IS NULL OR currency_minor_units IS NULL)
    ) AS unrated_allocations
  FROM reachops.allocation_metrics
  LEFT JOIN reachops.ref_cpe_thresholds AS t ON TRUE
  GROUP BY org_id, campaign_id
)

SELECT
  c.org_id,
  c.campaign_id,
  c.currency,
  c.currency_minor_units,
  c.spend_allocations,
  c.spend_currencies,
  c.posts_count,
  c.reach,
  c.reach_posts_reported,
  c.views,
  c.views_posts_reported,
  c.likes,
  c.comments,
  c.shares,
  c.engagement,
  c.engagement_posts_reported,
  c.engagement_complete,
  c.avg_engagement_rate,
  c.engagement_rate_posts,
  c.undisclosed_posts,
  c.disclosure_unchecked_posts,
  c.spend_minor,
  c.cost_per_engagement_minor,
  c.cost_per_engagement_minor / POW(10, c.currency_minor_units) AS cost_per_engagement,
  c.cpm_minor,
  c.cpm_minor / POW(10, c.currency_minor_units) AS cpm,
  CASE
    WHEN c.cost_per_engagement_minor IS NULL OR c.currency_minor_units IS NULL THEN NULL
    WHEN t.strong_below IS NULL THEN NULL
    WHEN c.cost_per_engagement_minor < t.strong_below * POW(10, c.currency_minor_units)
      THEN 'Strong'
    WHEN c.cost_per_engagement_minor <= t.underperforming_above * POW(10, c.currency_minor_units)
      THEN 'Average'
    ELSE 'Underperforming'
  END AS rating,
  COALESCE(r.strong_allocations, 0) AS strong_allocations,
  COALESCE(r.average_allocations, 0) AS average_allocations,
  COALESCE(r.underperforming_allocations, 0) AS underperforming_allocations,
  COALESCE(r.unrated_allocations, 0) AS unrated_allocations,
  c.computed_at
FROM reachops.campaign_metrics AS c
LEFT JOIN reachops.ref_cpe_thresholds AS t ON TRUE
LEFT JOIN allocation_ratings AS r
  ON c.org_id = r.org_id AND c.campaign_id = r.campaign_id;
