-- Each stored forecast day that is now complete (before @today), beside what happened: the
-- forecast's scope summed from reachops.forecast_actuals_daily (0 when nothing happened: days
-- without a row are zeros, as the forecast's history read them). Filters: @campaign_id,
-- @channel, @metric (NULL = all) and forecast days from @start_date (the partition column).
-- shared/forecasting/accuracy.py scores the pairs (MAPE, sMAPE, interval coverage).
SELECT
  f.forecast_id,
  f.generated_at,
  f.campaign_id,
  f.channel,
  f.metric,
  f.currency,
  f.level,
  f.method,
  f.day,
  f.predicted,
  f.lower,
  f.upper,
  COALESCE(SUM(a.value), 0) AS actual
FROM reachops.forecasts AS f
LEFT JOIN reachops.forecast_actuals_daily AS a
  ON a.org_id = f.org_id
  AND a.metric = f.metric
  AND a.day = f.day
  AND (f.campaign_id IS NULL OR a.campaign_id = f.campaign_id)
  AND (f.channel IS NULL OR a.channel = f.channel)
  AND (f.currency IS NULL OR a.currency = f.currency)
WHERE f.org_id = @org_id
  AND f.day >= @start_date
  AND f.day < @today
  AND (CAST(@campaign_id AS STRING) IS NULL OR f.campaign_id = @campaign_id)
  AND (CAST(@channel AS STRING) IS NULL OR f.channel = @channel)
  AND (CAST(@metric AS STRING) IS NULL OR f.metric = @metric)
GROUP BY
  f.forecast_id, f.generated_at, f.campaign_id, f.channel, f.metric, f.currency, f.level,
  f.method, f.day, f.predicted, f.lower, f.upper
ORDER BY f.generated_at DESC, f.forecast_id, f.metric, f.day;
