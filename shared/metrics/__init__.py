"""Campaign metrics: KPI formulas, definitions, scoring and earned media value, as pure logic.

The metrics themselves are computed in the warehouse: bigquery_sql/rollups/metrics.sql upserts
reachops.allocation_metrics and reachops.campaign_metrics for a set of campaigns of one
organization in one script, and the analysts' views in bigquery_sql/views/ rate them with the
default thresholds of shared/metrics/definitions.yaml.
"""

ROLLUP_SQL = "rollups/metrics.sql"
"""Parameters: org_id, campaign_ids (a list: one campaign or many) and computed_at."""
