-- Rows of ad_insights_source the import refuses, each with the first reason (the column at
-- fault). The import loads every other row.
CREATE OR REPLACE VIEW reachops.paid_source_rejects AS
SELECT
  *,
  CASE
    WHEN org_id IS NULL THEN 'org_id: missing'
    WHEN platform IS NULL OR platform = 'meta' THEN 'platform: missing, or meta (synced by API)'
    WHEN account_id IS NULL THEN 'account_id: missing'
    WHEN level IS NULL OR level NOT IN ('campaign', 'adset', 'ad') THEN 'level: not campaign, adset or ad'
    WHEN entity_id IS NULL THEN 'entity_id: missing'
    WHEN campaign_id IS NULL THEN 'campaign_id: missing'
    WHEN date IS NULL THEN 'date: missing'
    WHEN currency IS NULL OR NOT REGEXP_CONTAINS(currency, r'^[A-Z]{3}$') THEN 'currency: not an ISO 4217 code'
    WHEN spend_micros < 0 THEN 'spend_micros: negative'
    WHEN impressions < 0 OR clicks < 0 OR link_clicks < 0 OR reach < 0 OR engagements < 0
      THEN 'counts: negative'
    WHEN conversions < 0 OR conversion_value_micros < 0 THEN 'conversions: negative'
  END AS reject_reason
FROM reachops.ad_insights_source
WHERE org_id IS NULL
  OR platform IS NULL OR platform = 'meta'
  OR account_id IS NULL
  OR level IS NULL OR level NOT IN ('campaign', 'adset', 'ad')
  OR entity_id IS NULL
  OR campaign_id IS NULL
  OR date IS NULL
  OR currency IS NULL OR NOT REGEXP_CONTAINS(currency, r'^[A-Z]{3}$')
  OR spend_micros < 0
  OR impressions < 0 OR clicks < 0 OR link_clicks < 0 OR reach < 0 OR engagements < 0
  OR conversions < 0 OR conversion_value_micros < 0;
