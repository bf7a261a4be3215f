-- One page of an organization's conversions (reachops.conversions), newest first, keyed by
-- (occurred_at, conversion_id) so a page never repeats or skips a row. @from_date..@to_date
-- (days, UTC) bound the partitions read; @event_type, @campaign_id, @source and @goal_id (the
-- conversions a goal matches: reachops.goal_conversions) filter when not null; @after_at + @after_id are the last row of the previous page (null: the first page).
-- @limit is the page size plus one (the extra row says whether another page follows).
SELECT
  conversion_id, source, event_type, event_name, occurred_at, site_id, visitor_id, session_id,
  order_id, value_micros, currency, campaign_id, paid_campaign_id, paid_adset_id, ad_id,
  ad_account_id, lead_id, properties_json
FROM reachops.conversions
WHERE DATE(occurred_at) BETWEEN @from_date AND @to_date
  AND org_id = @org_id
  AND (CAST(@event_type AS STRING) IS NULL OR event_type = @event_type)
  AND (CAST(@campaign_id AS STRING) IS NULL OR campaign_id = @campaign_id)
  AND (CAST(@source AS STRING) IS NULL OR source = @source)
  AND (
    CAST(@goal_id AS STRING) IS NULL
    OR conversion_id IN (
      SELECT g.conversion_id
      FROM reachops.goal_conversions AS g
      WHERE DATE(g.occurred_at) BETWEEN @from_date AND @to_date
        AND g.org_id = @org_id
        AND g.goal_id = @goal_id
    )
  )
  AND (
    CAST(@after_at AS TIMESTAMP) IS NULL
    OR occurred_at < CAST(@after_at AS TIMESTAMP)
    OR (occurred_at = CAST(@after_at AS TIMESTAMP) AND conversion_id < @after_id)
  )
ORDER BY occurred_at DESC, conversion_id DESC
LIMIT @limit
