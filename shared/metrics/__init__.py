"""Campaign metrics: scoring (CPE ratings, creator tiers) and earned media value, as pure logic.

The metrics themselves are computed in the warehouse: bigquery_sql/rollups/*.sql upsert
reachops.allocation_metrics and reachops.campaign_metrics for one campaign (parameters
@org_id, @campaign_id, @computed_at), and the analysts' views in bigquery_sql/views/ rate them
with the default thresholds that shared.metrics.scoring defines.
"""

ROLLUP_SQL = ("rollups/allocation_metrics.sql", "rollups/campaign_metrics.sql")
"""Independent MERGEs; run both for a campaign, each with org_id, campaign_id and computed_at."""
