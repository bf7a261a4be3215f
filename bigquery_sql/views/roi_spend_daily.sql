-- What the ROI dashboard counts as cost, creator and paid together: one row per org, day,
-- ReachOps campaign, Meta campaign, creator allocation and channel, in the row's currency
-- (money as exact integer micros; never added across currencies).
-- * channel 'paid_social': each Meta campaign-day of paid_kpis_campaign_daily under its 'default'
--   attribution window (the delivery figures are the same in every window); campaign_id is the
--   ReachOps campaign the Meta campaign is linked to (NULL when none), creator_id the creator it
--   promotes (NULL when none). engagements: Meta's post engagements.
-- * channel 'creator': each creator allocation's agreed fee (allocation_metrics.spend_minor, set
--   once the allocation is accepted, active or completed), converted from minor units to micros
--   with its currency's ISO 4217 exponent. A fee is flat, not spread over days: it counts on the
--   day its campaign was first activated (campaign_events), so an allocation of a campaign never
--   activated has no day and is left out. engagements: the allocation's posts' engagement at
--   their latest snapshot.
-- Read by bigquery_sql/queries/dashboard_roi.sql (the dashboard's and reports' figures).
CREATE OR REPLACE VIEW reachops.roi_spend_daily AS
WITH activated AS (
  SELECT org_id, campaign_id, DATE(MIN(occurred_at)) AS day
  FROM reachops.campaign_events
  WHERE event_type = 'campaign.activated'
  GROUP BY org_id, campaign_id
)

SELECT
  p.org_id,
  p.date AS day,
  p.reachops_campaign_id AS campaign_id,
  p.campaign_id AS paid_campaign_id,
  CAST(NULL AS STRING) AS allocation_id,
  p.creator_id,
  'paid_social' AS channel,
  p.currency,
  p.spend_micros,
  p.engagements
FROM reachops.paid_kpis_campaign_daily AS p
WHERE p.attribution_window = 'default'

UNION ALL

SELECT
  m.org_id,
  a.day,
  m.campaign_id,
  CAST(NULL AS STRING) AS paid_campaign_id,
  m.allocation_id,
  m.creator_id,
  'creator' AS channel,
  m.currency,
  CAST(m.spend_minor * POW(10, 6 - m.currency_minor_units) AS INT64) AS spend_micros,
  m.engagement AS engagements
FROM reachops.allocation_metrics AS m
JOIN activated AS a
  ON a.org_id = m.org_id
  AND a.campaign_id = m.campaign_id
WHERE m.spend_minor IS NOT NULL;
