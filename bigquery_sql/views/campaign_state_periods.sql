-- One row per stretch of time a campaign spent in a state (active, paused, completed).
CREATE OR REPLACE VIEW reachops.campaign_state_periods AS
WITH transitions AS (
  SELECT
    org_id,
    campaign_id,
    CASE event_type
      WHEN 'campaign.activated' THEN 'active'
      WHEN 'campaign.resumed' THEN 'active'
      WHEN 'campaign.paused' THEN 'paused'
      WHEN 'campaign.completed' THEN 'completed'
    END AS state,
    occurred_at AS entered_at,
    actor_id AS entered_by
  FROM reachops.campaign_events
  WHERE event_type IN (
    'campaign.activated', 'campaign.resumed', 'campaign.paused', 'campaign.completed'
  )
)
SELECT
  org_id,
  campaign_id,
  state,
  entered_at,
  entered_by,
  LEAD(entered_at) OVER (PARTITION BY org_id, campaign_id ORDER BY entered_at) AS left_at,
  TIMESTAMP_DIFF(
    LEAD(entered_at) OVER (PARTITION BY org_id, campaign_id ORDER BY entered_at),
    entered_at,
    SECOND
  ) AS seconds_in_state
FROM transitions;
