-- Every attribution model side by side over @from_day..@to_day (DATEs, included): the credit
-- each model gives to conversions of the types in @event_types (views
-- attributed_conversions_daily), one row per model and currency
-- (currency NULL: conversions that carry no value). When @filter_campaigns, only credit to the
-- ReachOps campaigns in @campaign_ids counts.
SELECT
  model,
  currency,
  SUM(conversions) AS conversions,
  CAST(ROUND(SUM(value_micros)) AS INT64) AS conversion_value_micros
FROM reachops.attributed_conversions_daily
WHERE org_id = @org_id
  AND event_type IN UNNEST(@event_types)
  AND day BETWEEN @from_day AND @to_day
  AND (NOT @filter_campaigns OR campaign_id IN UNNEST(@campaign_ids))
GROUP BY model, currency
ORDER BY model, currency;
