-- Daily paid delivery of one organization per platform (the budget allocator's channels), from
-- @start_date to @end_date (DATEs, both included): the input of pacing, forecasts and the budget
-- allocator (shared/paid). @reachops_campaign_id restricts it to the platform campaigns, ad sets
-- or ads linked to one ReachOps campaign; NULL keeps the whole organization.
--
-- Each platform campaign counts once per day, from the level views/paid_answering_rows.sql
-- chooses (its campaign-level row, else its ad sets, else its ads; levels are never mixed).
-- With a @reachops_campaign_id only the chosen rows linked to it count (links are written per
-- platform campaign, on every level at once). Conversions are the `default` attribution window's
-- (the account's setting). One row per (date, platform, currency); sums are over the rows that
-- report the figure (NULL when none does); money in micros of currency. Days without any row are
-- absent (the platform reported nothing).
WITH chosen AS (
  SELECT *
  FROM reachops.paid_answering_rows
  WHERE org_id = @org_id
    AND date BETWEEN @start_date AND @end_date
    AND (
      CAST(@reachops_campaign_id AS STRING) IS NULL
      OR reachops_campaign_id = @reachops_campaign_id
    )
)

SELECT
  date,
  platform,
  currency,
  COUNT(DISTINCT CONCAT(account_id, '/', campaign_id)) AS campaigns,
  SUM(spend_micros) AS spend_micros,
  SUM(impressions) AS impressions,
  SUM(clicks) AS clicks,
  SUM(link_clicks) AS link_clicks,
  SUM(conversions) AS conversions,
  SUM(conversion_value_micros) AS conversion_value_micros,
  SUM(engagements) AS engagements,
  SUM(video_p100) AS video_p100
FROM chosen
GROUP BY date, platform, currency
ORDER BY date, platform, currency;
