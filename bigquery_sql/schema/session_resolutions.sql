-- Each tracked session (page views grouped by org, site and session id) resolved to the campaign
-- and channel that brought it, one row per (org_id, site_id, session_id), written by the
-- attribution_resolve job (MERGE) and by POST /v1/attribution/resolve (manual = TRUE; the job
-- never overwrites a manual row). The MERGE key also holds started_at (the partition column,
-- fixed by the session's first page view), so a MERGE prunes to the sessions' days.
--
-- * started_at and the landing_* / utm_* / click-id fields come from the session's first page view.
-- * channel: one of shared/attribution/channels.py (creator, paid_social, organic_social,
--   paid_search, organic_search, email, referral, direct, other); always set.
-- * method: how campaign_id / paid_campaign_id was found: tracking_link, allocation_code, utm_id,
--   utm_name, click_id, manual; NULL with unresolved_reason when no campaign was found (the job
--   tries such sessions again on each run).
CREATE TABLE IF NOT EXISTS reachops.session_resolutions (
  org_id STRING NOT NULL,
  site_id STRING NOT NULL,
  session_id STRING NOT NULL,
  visitor_id STRING,
  started_at TIMESTAMP NOT NULL,
  landing_url STRING,
  landing_referrer STRING,
  utm_source STRING,
  utm_medium STRING,
  utm_campaign STRING,
  utm_content STRING,
  utm_id STRING,
  fbclid STRING,
  gclid STRING,
  ttclid STRING,
  channel STRING NOT NULL,
  campaign_id STRING,
  allocation_id STRING,
  paid_campaign_id STRING,
  method STRING,
  unresolved_reason STRING,
  resolved_at TIMESTAMP NOT NULL,
  manual BOOL NOT NULL
)
PARTITION BY DATE(started_at)
CLUSTER BY org_id, site_id
OPTIONS (description = 'Each tracked session resolved to its campaign, allocation, paid campaign and channel, with the method; manual rows are never overwritten by the job.');
