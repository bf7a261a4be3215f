-- Performance of each campaign, one row per campaign, upserted by rollups/campaign_metrics.sql
-- (MERGE on org_id, campaign_id). Same rules as allocation_metrics: the latest snapshot of each
-- campaign post, NULL when no source reported a figure. Spend is the sum of the agreed fees of
-- the accepted, active and completed allocations; NULL when there is none, or when they use more
-- than one currency (no exchange rates are applied: spend_currencies says how many there are).
-- Not partitioned: one row per campaign, rewritten by every rollup on a key with no date (a
-- partition by computed_at would move each row at each run and keep the MERGE from pruning);
-- clustered by org_id and campaign_id, the rollup's filter.
CREATE TABLE IF NOT EXISTS reachops.campaign_metrics (
  org_id STRING NOT NULL,
  campaign_id STRING NOT NULL,
  currency STRING,
  currency_minor_units INT64,
  spend_allocations INT64 NOT NULL,
  spend_currencies INT64 NOT NULL,
  posts_count INT64 NOT NULL,
  reach INT64,
  reach_posts_reported INT64 NOT NULL,
  views INT64,
  views_posts_reported INT64 NOT NULL,
  likes INT64,
  comments INT64,
  shares INT64,
  engagement INT64,
  engagement_posts_reported INT64 NOT NULL,
  engagement_complete BOOL NOT NULL,
  avg_engagement_rate FLOAT64,
  engagement_rate_posts INT64 NOT NULL,
  undisclosed_posts INT64 NOT NULL,
  disclosure_unchecked_posts INT64 NOT NULL,
  spend_minor INT64,
  cost_per_engagement_minor FLOAT64,
  cpm_minor FLOAT64,
  computed_at TIMESTAMP NOT NULL
)
CLUSTER BY org_id, campaign_id
OPTIONS (description = 'Per-campaign performance from the latest snapshot of each campaign post; money in minor units of currency; NULL = not reported.');

-- Columns added after the table was first deployed (no-ops on a table created from the DDL
-- above; nullable here because BigQuery cannot add a REQUIRED column; the rollup always fills
-- them).
ALTER TABLE reachops.campaign_metrics ADD COLUMN IF NOT EXISTS undisclosed_posts INT64;
ALTER TABLE reachops.campaign_metrics ADD COLUMN IF NOT EXISTS disclosure_unchecked_posts INT64;
