-- Each conversion's candidate touches: the resolved sessions (reachops.session_resolutions) of
-- its visitor that started in the 90 days up to the conversion (the longest look-back a request
-- may ask for, shared/attribution/paths.py MAX_LOOKBACK_DAYS), one row per (conversion, touch),
-- with days_before (days from the session's start to the conversion). The models keep the
-- touches inside their look-back (reachops.attributed_conversions_daily: 30 days).
--
-- * touch_kind 'explicit': the conversion names its campaign (a server-side conversion's
--   campaign_id, or the Meta campaign / ad set / ad of a Lead Ads lead): its one touch, which
--   takes all the credit in every model.
-- * touch_kind 'none': the conversion's visitor has no session in the 90 days (or no visitor id).
CREATE OR REPLACE VIEW reachops.attribution_touches AS
WITH conversions AS (
  SELECT
    c.org_id,
    c.conversion_id,
    c.event_type,
    c.occurred_at,
    c.visitor_id,
    c.value_micros,
    c.currency,
    c.campaign_id,
    COALESCE(c.paid_campaign_id, ads.campaign_id, adsets.campaign_id) AS paid_campaign_id,
    (
      c.campaign_id IS NOT NULL
      OR c.paid_campaign_id IS NOT NULL
      OR c.paid_adset_id IS NOT NULL
      OR c.ad_id IS NOT NULL
    ) AS explicit
  FROM reachops.conversions AS c
  LEFT JOIN reachops.ad_objects AS ads
    ON ads.org_id = c.org_id AND ads.level = 'ad' AND ads.object_id = c.ad_id
  LEFT JOIN reachops.ad_objects AS adsets
    ON adsets.org_id = c.org_id AND adsets.level = 'adset' AND adsets.object_id = c.paid_adset_id
),
sessions AS (
  SELECT
    c.org_id,
    c.conversion_id,
    s.site_id,
    s.session_id,
    s.started_at,
    s.channel,
    s.campaign_id,
    s.allocation_id,
    s.paid_campaign_id
  FROM conversions AS c
  JOIN reachops.session_resolutions AS s
    ON
      s.org_id = c.org_id
      AND s.visitor_id = c.visitor_id
      AND s.started_at <= c.occurred_at
      AND s.started_at > TIMESTAMP_SUB(c.occurred_at, INTERVAL 90 DAY)
  WHERE NOT c.explicit
)
SELECT
  c.org_id,
  c.conversion_id,
  c.event_type,
  c.occurred_at,
  c.value_micros,
  c.currency,
  CASE WHEN c.explicit THEN 'explicit' WHEN s.session_id IS NULL THEN 'none' ELSE 'session' END
    AS touch_kind,
  s.site_id,
  s.session_id,
  s.started_at,
  CASE
    WHEN c.explicit AND c.campaign_id IS NOT NULL THEN 'creator'
    WHEN c.explicit THEN 'paid_social'
    ELSE COALESCE(s.channel, 'direct')
  END AS channel,
  IF(c.explicit, c.campaign_id, s.campaign_id) AS campaign_id,
  IF(c.explicit, CAST(NULL AS STRING), s.allocation_id) AS allocation_id,
  IF(c.explicit, c.paid_campaign_id, s.paid_campaign_id) AS paid_campaign_id,
  TIMESTAMP_DIFF(c.occurred_at, s.started_at, SECOND) / 86400.0 AS days_before
FROM conversions AS c
LEFT JOIN sessions AS s ON s.org_id = c.org_id AND s.conversion_id = c.conversion_id;
