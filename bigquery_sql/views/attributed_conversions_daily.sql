-- Conversions credited to campaigns, creator allocations, Meta campaigns and channels by each
-- attribution model, per conversion day (UTC): THE view dashboards, forecasts and reports read.
--
-- * model: last_click, first_click, linear, time_decay (half-life 7 days), position_based
--   (40/20/40; one touch 100 %, two touches 50/50), computed here over
--   reachops.attribution_paths (30-day look-back; GET /v1/attribution takes other look-backs and
--   half-lives); data_driven (first-order Markov chain
--   removal effect, Anderl et al. 2016) from reachops.attribution_credits, which the
--   attribution_resolve job writes.
-- * conversions: the credit (each conversion's credits sum to 1 in every model); value_micros:
--   the credited share of its value, in micros of currency (NULL for conversions without one).
-- * event_type: the conversion's type (purchase, lead_form_submission, add_to_cart, ...):
--   filter on it to count one kind of conversion.
-- * campaign_id (ReachOps), allocation_id (creator allocation), paid_campaign_id (Meta) are NULL
--   when the touch resolved to none; channel is always set ('direct' for a conversion with no
--   touch in the look-back).
CREATE OR REPLACE VIEW reachops.attributed_conversions_daily AS
WITH weighted AS (
  SELECT
    *,
    IF(touch_rank = touch_count, 1.0, 0.0) AS w_last_click,
    IF(touch_rank = 1, 1.0, 0.0) AS w_first_click,
    1.0 / touch_count AS w_linear,
    decay / SUM(decay) OVER (PARTITION BY org_id, conversion_id) AS w_time_decay,
    CASE
      WHEN touch_count = 1 THEN 1.0
      WHEN touch_count = 2 THEN 0.5
      WHEN touch_rank = 1 OR touch_rank = touch_count THEN 0.4
      ELSE 0.2 / (touch_count - 2)
    END AS w_position_based
  FROM reachops.attribution_paths
),
totals AS (
  SELECT
    org_id,
    DATE(occurred_at) AS day,
    event_type,
    campaign_id,
    allocation_id,
    paid_campaign_id,
    channel,
    currency,
    SUM(w_last_click) AS c_last_click,
    SUM(w_last_click * value_micros) AS v_last_click,
    SUM(w_first_click) AS c_first_click,
    SUM(w_first_click * value_micros) AS v_first_click,
    SUM(w_linear) AS c_linear,
    SUM(w_linear * value_micros) AS v_linear,
    SUM(w_time_decay) AS c_time_decay,
    SUM(w_time_decay * value_micros) AS v_time_decay,
    SUM(w_position_based) AS c_position_based,
    SUM(w_position_based * value_micros) AS v_position_based
  FROM weighted
  GROUP BY org_id, day, event_type, campaign_id, allocation_id, paid_campaign_id, channel, currency
),
credited AS (
  SELECT
    org_id,
    model,
    day,
    event_type,
    campaign_id,
    allocation_id,
    paid_campaign_id,
    channel,
    CASE model
      WHEN 'last_click' THEN c_last_click
      WHEN 'first_click' THEN c_first_click
      WHEN 'linear' THEN c_linear
      WHEN 'time_decay' THEN c_time_decay
      ELSE c_position_based
    END AS conversions,
    CASE model
      WHEN 'last_click' THEN v_last_click
      WHEN 'first_click' THEN v_first_click
      WHEN 'linear' THEN v_linear
      WHEN 'time_decay' THEN v_time_decay
      ELSE v_position_based
    END AS value_micros,
    currency
  FROM totals
  CROSS JOIN UNNEST(['last_click', 'first_click', 'linear', 'time_decay', 'position_based']) AS model
)
SELECT *
FROM credited
WHERE conversions > 0
UNION ALL
SELECT
  org_id, model, day, event_type, campaign_id, allocation_id, paid_campaign_id, channel,
  conversions, value_micros, currency
FROM reachops.attribution_credits;
