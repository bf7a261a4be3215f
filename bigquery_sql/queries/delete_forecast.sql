-- Removes one stored forecast's rows before it is written again (a rerun replaces, never adds).
DELETE FROM reachops.forecasts
WHERE org_id = @org_id
  AND forecast_id = @forecast_id
  AND day BETWEEN @start_date AND @end_date;
