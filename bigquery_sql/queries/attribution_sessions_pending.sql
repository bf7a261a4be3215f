-- The org's sessions (page views by site and session id; the landing is the first page view)
-- that started from @since_at and are not resolved yet: new ones, and those the job resolved to
-- no campaign before (tried again: a campaign synced or renamed since). Manual resolutions are
-- never read here, so the job never overwrites them. A session already resolved keeps its stored
-- started_at (the table's partition column and part of its MERGE key), even if an earlier page
-- view arrived late, so a re-resolution replaces its row instead of adding a second one.
WITH landings AS (
  SELECT
    org_id,
    site_id,
    session_id,
    visitor_id,
    occurred_at AS started_at,
    url AS landing_url,
    referrer AS landing_referrer,
    utm_source,
    utm_medium,
    utm_campaign,
    utm_content,
    utm_id,
    fbclid,
    gclid,
    ttclid
  FROM reachops.track_events_unique
  WHERE
    org_id = @org_id
    AND event_type = 'page_view'
    AND session_id IS NOT NULL
    AND occurred_at >= @since_at
  QUALIFY ROW_NUMBER() OVER (
    PARTITION BY site_id, session_id ORDER BY occurred_at, event_id
  ) = 1
)
SELECT
  l.* REPLACE (COALESCE(r.started_at, l.started_at) AS started_at)
FROM landings AS l
LEFT JOIN reachops.session_resolutions AS r
  ON r.org_id = l.org_id AND r.site_id = l.site_id AND r.session_id = l.session_id
WHERE
  r.session_id IS NULL
  OR (NOT r.manual AND r.campaign_id IS NULL AND r.paid_campaign_id IS NULL)
ORDER BY l.site_id, l.session_id;
