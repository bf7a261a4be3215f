-- One page of a person's touchpoints (reachops.journey_events: forms, feedback, orders, leads,
-- social engagement and page views) newest first, keyed by (occurred_at, event, source_id).
-- @from_date..@to_date (UTC days) bound the partitions read; @after_at + @after_event +
-- @after_source are the previous page's last row (null: the first page); @limit is the page
-- size plus one.
SELECT
  occurred_at, event, channel, stage, source_id, visitor_id, value_micros, currency
FROM reachops.journey_events
WHERE DATE(occurred_at) BETWEEN @from_date AND @to_date
  AND org_id = @org_id
  AND person_id = @person_id
  AND (
    CAST(@after_at AS TIMESTAMP) IS NULL
    OR occurred_at < CAST(@after_at AS TIMESTAMP)
    OR (occurred_at = CAST(@after_at AS TIMESTAMP) AND event > @after_event)
    OR (
      occurred_at = CAST(@after_at AS TIMESTAMP) AND event = @after_event
      AND COALESCE(source_id, '') > @after_source
    )
  )
ORDER BY occurred_at DESC, event, COALESCE(source_id, '')
LIMIT @limit
