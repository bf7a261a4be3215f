-- A session's page views, in order: where the visitor landed and came from (URL, referrer,
-- UTM parameters and click ids, verbatim). A session lasts hours, not days: the day before and
-- after @day bound the partitions read.
SELECT
  event_id, occurred_at, url, referrer, utm_source, utm_medium, utm_campaign, utm_content,
  utm_term, utm_id, fbclid, gclid, ttclid
FROM reachops.track_events_unique
WHERE DATE(occurred_at) BETWEEN DATE_SUB(@day, INTERVAL 1 DAY) AND DATE_ADD(@day, INTERVAL 1 DAY)
  AND org_id = @org_id
  AND site_id = @site_id
  AND session_id = @session_id
  AND event_type = 'page_view'
ORDER BY occurred_at, event_id
LIMIT @limit
