-- Daily import of the non-SDK landing table: every valid row (the negation of the checks in
-- views/paid_source_rejects.sql) is upserted into ad_insights_daily on its keys; running it
-- twice changes nothing.
MERGE reachops.ad_insights_daily AS target
USING (
  SELECT *
  FROM reachops.ad_insights_source
  WHERE org_id IS NOT NULL
    AND platform IS NOT NULL AND platform != 'meta'
    AND account_id IS NOT NULL
    AND level IN ('campaign', 'adset', 'ad')
    AND entity_id IS NOT NULL
    AND campaign_id IS NOT NULL
    AND date IS NOT NULL
    AND REGEXP_CONTAINS(currency, r'^[A-Z]{3}$')
    AND COALESCE(spend_micros, 0) >= 0
    AND COALESCE(impressions, 0) >= 0 AND COALESCE(clicks, 0) >= 0
    AND COALESCE(link_clicks, 0) >= 0 AND COALESCE(reach, 0) >= 0
    AND COALESCE(engagements, 0) >= 0
    AND COALESCE(conversions, 0) >= 0 AND COALESCE(conversion_value_micros, 0) >= 0
  QUALIFY ROW_NUMBER() OVER (
    PARTITION BY org_id, platform, account_id, level, entity_id, date ORDER BY loaded_at DESC
  ) = 1
) AS source
ON target.org_id = source.org_id
  AND target.platform = source.platform
  AND target.account_id = source.account_id
  AND target.level = source.level
  AND target.entity_id = source.entity_id
  AND target.date = source.date
WHEN MATCHED THEN UPDATE SET
  entity_name = source.entity_name, campaign_id = source.campaign_id,
  adset_id = source.adset_id, ad_id = source.ad_id,
  reachops_campaign_id = source.reachops_campaign_id, creator_id = source.creator_id,
  currency = source.currency, spend_micros = source.spend_micros,
  impressions = source.impressions, reach = source.reach, frequency = source.frequency,
  clicks = source.clicks, link_clicks = source.link_clicks, conversions = source.conversions,
  conversion_value_micros = source.conversion_value_micros, engagements = source.engagements,
  video_p25 = source.video_p25, video_p50 = source.video_p50, video_p75 = source.video_p75,
  video_p100 = source.video_p100, actions_json = source.actions_json,
  attribution_windows = source.attribution_windows, source = 'bq_source',
  synced_at = CURRENT_TIMESTAMP()
WHEN NOT MATCHED THEN INSERT (
  org_id, platform, account_id, level, entity_id, entity_name, campaign_id, adset_id, ad_id,
  reachops_campaign_id, creator_id, date, currency, spend_micros, impressions, reach, frequency,
  clicks, link_clicks, conversions, conversion_value_micros, engagements, video_p25, video_p50,
  video_p75, video_p100, actions_json, attribution_windows, source, synced_at
) VALUES (
  source.org_id, source.platform, source.account_id, source.level, source.entity_id,
  source.entity_name, source.campaign_id, source.adset_id, source.ad_id,
  source.reachops_campaign_id, source.creator_id, source.date, source.currency,
  source.spend_micros, source.impressions, source.reach, source.frequency, source.clicks,
  source.link_clicks, source.conversions, source.conversion_value_micros, source.engagements,
  source.video_p25, source.video_p50, source.video_p75, source.video_p100, source.actions_json,
  source.attribution_windows, 'bq_source', CURRENT_TIMESTAMP()
);
