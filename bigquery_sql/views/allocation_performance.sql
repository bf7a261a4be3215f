-- One row per creator allocation: its campaign performance (allocation_metrics) with the cost
-- ratios in major units of its currency and a rating on cost per engagement.
-- The rating uses the DEFAULT thresholds of reachops.ref_cpe_thresholds (seeded from
-- shared/metrics/definitions.yaml): Strong below strong_below, Average up to
-- underperforming_above inclusive, Underperforming above it (major units of the allocation's
-- currency per engagement). Organizations can set their own thresholds per platform in the app
-- (shared/metrics/scoring.py, thresholds_for); this view does not know them, so the app's
-- rating can differ from this one for an org that changed them.
-- The thresholds are compared in minor units (threshold * 10^currency_minor_units), which is
-- exact for the default thresholds, so a CPE of exactly a threshold is Average, as in the app.
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
  undisclosed_posts,
  disclosure_unchecked_posts,
  spend_minor,
  cost_per_engagement_minor,
  cost_per_engagement_minor / POW(10, currency_minor_units) AS cost_per_engagement,
  cpm_minor,
  cpm_minor / POW(10, currency_minor_units) AS cpm,
  CASE
    WHEN cost_per_engagement_minor IS NULL OR currency_minor_units IS NULL THEN NULL
    WHEN t.strong_below IS NULL THEN NULL
    WHEN cost_per_engagement_minor < t.strong_below * POW(10, currency_minor_units) THEN 'Strong'
    WHEN cost_per_engagement_minor <= t.underperforming_above * POW(10, currency_minor_units)
      THEN 'Average'
    ELSE 'Underperforming'
  END AS rating,
  CASE
    WHEN spend_minor IS NULL THEN 'no agreed fee: the allocation is not accepted'
    WHEN engagement IS NULL THEN 'no engagement reported'
    WHEN engagement = 0 THEN 'no engagement yet'
    WHEN currency_minor_units IS NULL THEN 'unknown currency: not in ISO 4217'
    WHEN t.strong_below IS NULL THEN 'reachops.ref_cpe_thresholds is not seeded'
  END AS rating_unknown_reason,
  computed_at
FROM reachops.allocation_metrics
LEFT JOIN reachops.ref_cpe_thresholds AS t ON TRUE;
