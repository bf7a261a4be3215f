-- The one rule for which level answers for a platform campaign on a day, read by every paid KPI
-- view and query (paid_kpis_campaign_daily, paid_kpis_platform_daily, queries/ad_daily_series,
-- ad_channel_series, paid_campaign_totals, paid_spend, creator_paid_campaigns).
--
-- A platform reports each level on its own, so a campaign's campaign row, its ad set rows and its
-- ad rows describe the same delivery: exactly one level may be added up. That is the campaign's
-- own row when it has one that day; otherwise its ad set rows; otherwise its ad rows. An account
-- that reports only ad sets (or only ads) is therefore counted from them, never left out.
--
-- One row per ad_insights_daily row of the answering level, with every column of the table.
CREATE OR REPLACE VIEW reachops.paid_answering_rows AS
SELECT *
FROM reachops.ad_insights_daily
WHERE TRUE
QUALIFY
  CASE level WHEN 'campaign' THEN 1 WHEN 'adset' THEN 2 WHEN 'ad' THEN 3 END
  = MIN(CASE level WHEN 'campaign' THEN 1 WHEN 'adset' THEN 2 WHEN 'ad' THEN 3 END) OVER (
    PARTITION BY org_id, platform, account_id, campaign_id, date
  );
