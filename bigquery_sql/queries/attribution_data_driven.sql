-- Replace an org's data-driven credit of conversion days @from_date..@to_date: each conversion's
-- credit spread over its touches (reachops.attribution_paths) in proportion to the removal
-- effect of each touch's channel (reachops.attribution_removal_effects, written just before);
-- equal shares when none of the path's channels has an effect, all of it to the one touch of a
-- conversion that names its campaign or has no touch. Idempotent: a re-run writes the same rows.
DELETE FROM reachops.attribution_credits
WHERE org_id = @org_id AND model = 'data_driven' AND day BETWEEN @from_date AND @to_date;
INSERT INTO reachops.attribution_credits (
  org_id, model, day, credit_key, event_type, campaign_id, allocation_id, paid_campaign_id,
  channel, conversions, value_micros, currency, computed_at
)
WITH effects AS (
  SELECT
    p.*,
    IF(p.session_id IS NULL, 1.0, COALESCE(e.removal_effect, 0.0)) AS effect
  FROM reachops.attribution_paths AS p
  LEFT JOIN reachops.attribution_removal_effects AS e
    ON e.org_id = p.org_id AND e.channel = p.channel
  WHERE p.org_id = @org_id AND DATE(p.occurred_at) BETWEEN @from_date AND @to_date
),
credited AS (
  SELECT
    *,
    IF(
      SUM(effect) OVER (PARTITION BY conversion_id) > 0,
      effect / SUM(effect) OVER (PARTITION BY conversion_id),
      1.0 / touch_count
    ) AS credit
  FROM effects
)
SELECT
  org_id,
  'data_driven' AS model,
  DATE(occurred_at) AS day,
  TO_HEX(SHA256(CONCAT(
    event_type, '|', COALESCE(campaign_id, ''), '|', COALESCE(allocation_id, ''), '|',
    COALESCE(paid_campaign_id, ''), '|', channel, '|', COALESCE(currency, '')
  ))) AS credit_key,
  event_type,
  campaign_id,
  allocation_id,
  paid_campaign_id,
  channel,
  SUM(credit) AS conversions,
  SUM(credit * value_micros) AS value_micros,
  currency,
  @computed_at AS computed_at
FROM credited
WHERE credit > 0
GROUP BY org_id, day, event_type, campaign_id, allocation_id, paid_campaign_id, channel, currency;
