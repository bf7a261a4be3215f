-- One row per conversion: the track_events rows whose event_type is a conversion type
-- (shared/tracking/events.py CONVERSIONS; tests/unit/test_conversions.py checks the list below
-- against it), from every source: 'browser' (the site snippet), 'api' (POST /v1/conversions, a
-- backend, a CRM or a person) and 'meta_lead_ads' (a Lead Ads lead fetched from Meta).
--
-- * conversion_id: CONCAT(site_id, '~', event_id), the id GET /v1/conversions/{id} takes; a
--   server-side conversion sent without a site has site_id '' (so its id starts with '~').
-- * value_micros + currency: money in micros of the currency; both null when none was sent.
-- * campaign_id: a ReachOps campaign the sender named (explicit attribution); null otherwise
--   (the attribution views resolve the rest from the visitor's journey).
-- * paid_campaign_id, paid_adset_id, ad_id, ad_account_id, lead_id: Meta's ids of a Lead Ads
--   lead (only field names of the form's answers are kept, never their values: properties_json).
-- Filter on occurred_at (the table's partition column) to read only the days you need.
CREATE OR REPLACE VIEW reachops.conversions AS
SELECT
  org_id,
  CONCAT(site_id, '~', event_id) AS conversion_id,
  source,
  event_type,
  event_name,
  occurred_at,
  site_id,
  visitor_id,
  session_id,
  order_id,
  value_micros,
  currency,
  campaign_id,
  paid_campaign_id,
  paid_adset_id,
  ad_id,
  ad_account_id,
  lead_id,
  properties_json
FROM reachops.track_events_unique
WHERE event_type IN (
  'lead_form_submission', 'add_to_cart', 'begin_checkout', 'purchase', 'page_engagement', 'custom'
);
