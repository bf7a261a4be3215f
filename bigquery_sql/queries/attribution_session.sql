-- One session's landing (its first page view), for a manual resolution. A session already
-- resolved keeps its stored started_at (partition column and MERGE key of session_resolutions),
-- so the manual resolution replaces its row even if an earlier page view arrived late.
SELECT
  e.org_id,
  e.site_id,
  e.session_id,
  e.visitor_id,
  COALESCE(r.started_at, e.occurred_at) AS started_at,
  e.url AS landing_url,
  e.referrer AS landing_referrer,
  e.utm_source,
  e.utm_medium,
  e.utm_campaign,
  e.utm_content,
  e.utm_id,
  e.fbclid,
  e.gclid,
  e.ttclid
FROM reachops.track_events_unique AS e
LEFT JOIN reachops.session_resolutions AS r
  ON r.org_id = e.org_id AND r.site_id = e.site_id AND r.session_id = e.session_id
WHERE
  e.org_id = @org_id
  AND e.site_id = @site_id
  AND e.session_id = @session_id
  AND e.event_type = 'page_view'
  AND e.occurred_at >= @since_at
ORDER BY e.occurred_at, e.event_id
LIMIT 1;
