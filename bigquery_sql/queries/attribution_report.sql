-- One org's credited conversions by model, campaign, allocation, channel and currency over
-- conversion days @from_date..@to_date (reachops.attributed_conversions_daily); @event_type NULL
-- counts every conversion type.
SELECT
  model,
  campaign_id,
  allocation_id,
  channel,
  currency,
  SUM(conversions) AS conversions,
  SUM(value_micros) AS value_micros
FROM reachops.attributed_conversions_daily
WHERE
  org_id = @org_id
  AND day BETWEEN @from_date AND @to_date
  AND (@event_type IS NULL OR event_type = @event_type)
GROUP BY model, campaign_id, allocation_id, channel, currency
ORDER BY model, campaign_id, allocation_id, channel, currency;
