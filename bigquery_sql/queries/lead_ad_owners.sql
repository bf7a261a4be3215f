-- Which organizations' synced Meta ads (reachops.ad_objects) a Lead Ads lead's ad is: one row
-- per (org_id, account_id) that synced the ad, with its campaign and ad set. An organization
-- that never synced the ad's account gets no lead (there is no other tie from a page to it).
-- @since_date bounds the partitions read (an ad's row is rewritten on every sync).
SELECT DISTINCT org_id, account_id, campaign_id, adset_id
FROM reachops.ad_objects
WHERE DATE(synced_at) >= @since_date
  AND platform = 'meta'
  AND level = 'ad'
  AND object_id = @ad_id
ORDER BY org_id, account_id
