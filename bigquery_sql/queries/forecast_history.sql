-- The daily history one forecast is fitted on: reachops.forecast_actuals_daily summed per day
-- over one scope (@campaign_id and/or @channel; NULL = all) for @metric, from @start_date to
-- @end_date (DATEs, both included). @currency restricts money metrics to one currency (NULL for
-- conversions). Days without a row are absent; the engine reads them as zeros.
SELECT
  day,
  SUM(value) AS value
FROM reachops.forecast_actuals_daily
WHERE org_id = @org_id
  AND metric = @metric
  AND day BETWEEN @start_date AND @end_date
  AND (CAST(@campaign_id AS STRING) IS NULL OR campaign_id = @campaign_id)
  AND (CAST(@channel AS STRING) IS NULL OR channel = @channel)
  AND (CAST(@currency AS STRING) IS NULL OR currency = @currency)
GROUP BY day
ORDER BY day;
