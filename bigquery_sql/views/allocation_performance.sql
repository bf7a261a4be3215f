-- One row per creator allocation: its campaign performance (allocation_metrics) with the cost
-- ratios in major units of its currency and a rating on cost per engagement.
-- The rating uses the DEFAULT thresholds: Strong below 0.50, Average from 0.50 to 2.00,
-- Underperforming above 2.00 (major units of the allocation's currency per engagement).
-- Organizations can set their own thresholds per platform in the app
-- (shared/metrics/scoring.py, thresholds_for); this view does not know them, so the app's
-- rating can differ from this one for an org that changed them.
-- The thresholds are compared in minor units (threshold * 10^currency_minor_units), which is
-- exact, so a CPE of exactly 0.50 or 2.00 is Average, as in the app.
CREATE OR REPLACE VIEW reachops.allocation_performance AS
SELECT
  org_id,
  campaign_id,
  allocation_id,
  creator_id,
  platform,
  status,
  currency,
  currency_minor_units,
  posts_count,
  reach,
  reach_posts_reported,
  views,
  views_posts_reported,
  likes,
  comments,
  shares,
  engagement,
  engagement_posts_reported,
  engagement_complete,
  avg_engagement_rate,
  engagement_rate_posts,
  spend_minor,
  cost_per_engagement_minor,
  cost_per_engagement_minor / POW(10, currency_minor_units) AS cost_per_engagement,
  cpm_minor,
  cpm_minor / POW(10, currency_minor_units) AS cpm,
  CASE
    WHEN cost_per_engagement_minor IS NULL OR currency_minor_units IS NULL THEN NULL
    WHEN cost_per_engagement_minor < 0.50 * POW(10, currency_minor_units) THEN 'Strong'
    WHEN cost_per_engagement_minor <= 2.00 * POW(10, currency_minor_units) THEN 'Average'
    ELSE 'Underperforming'
  END AS rating,
  CASE
    WHEN spend_minor IS NULL THEN 'no agreed fee: the allocation is not accepted'
    WHEN engagement IS NULL THEN 'no engagement reported'
    WHEN engagement = 0 THEN 'no engagement yet'
    WHEN currency_minor_units IS NULL THEN 'unknown currency: not in ISO 4217'
  END AS rating_unknown_reason,
  computed_at
FROM reachops.allocation_metrics;
