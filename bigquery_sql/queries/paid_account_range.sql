-- The range report stored for exactly @since..@until (DATEs) of one ad account
-- (reachops.ad_insights_range): how many rows it holds at any level, and the account-level row's
-- reach and frequency (unique people over the whole range, de-duplicated by Meta; never a sum of
-- campaigns' or days' reach). Read by the KPI table (shared/paid/range_state.py).
SELECT
  COUNT(*) AS rows_stored,
  MAX(IF(level = 'account', reach, NULL)) AS reach,
  MAX(IF(level = 'account', frequency, NULL)) AS frequency,
  MAX(synced_at) AS synced_at
FROM reachops.ad_insights_range
WHERE org_id = @org_id
  AND platform = 'meta'
  AND account_id = @account_id
  AND since = @since
  AND until = @until;
