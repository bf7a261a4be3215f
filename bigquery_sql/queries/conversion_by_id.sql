-- One conversion of an organization by its public id (site_id~event_id). Conversions are
-- accepted at most 90 days after they occurred but may be read long after: @since_date (the
-- oldest day a conversion is kept for) bounds the partitions read.
SELECT
  conversion_id, source, event_type, event_name, occurred_at, site_id, visitor_id, session_id,
  order_id, value_micros, currency, campaign_id, paid_campaign_id, paid_adset_id, ad_id,
  ad_account_id, lead_id, properties_json
FROM reachops.conversions
WHERE DATE(occurred_at) >= @since_date
  AND org_id = @org_id
  AND site_id = @site_id
  AND conversion_id = @conversion_id
