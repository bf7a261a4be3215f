"""Paid media: daily ad insights, their KPIs, flight pacing, forecasts and budget allocation.

Insights live in reachops.ad_insights_daily (bigquery_sql/schema/ad_insights_daily.sql), one
row per (org_id, platform, account_id, level, entity_id, date), money in micros of the ad
account's currency. Rows come from the Meta Graph API (`kpis.meta_insight_row`) or from CSV
files for platforms without an SDK (`csv_import.parse_insights_csv`), and are written with
`save_insights`, an upsert on AD_INSIGHTS_KEYS: a platform restating a day replaces its row, and
loading the same rows twice changes nothing.

The analysts' views (bigquery_sql/views/paid_kpis_*.sql) and `kpis` compute the same KPIs;
bigquery_sql/queries/ad_daily_series.sql gives the daily series that `pacing`, `forecast` and
`budget` read.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from shared.ports import Warehouse

AD_INSIGHTS_TABLE = "ad_insights_daily"
AD_INSIGHTS_KEYS = ("org_id", "platform", "account_id", "level", "entity_id", "date")
"""The MERGE keys of reachops.ad_insights_daily."""

AD_INSIGHTS_COLUMNS = (
    "org_id",
    "platform",
    "account_id",
    "level",
    "entity_id",
    "entity_name",
    "campaign_id",
    "adset_id",
    "ad_id",
    "reachops_campaign_id",
    "creator_id",
    "date",
    "currency",
    "spend_micros",
    "impressions",
    "reach",
    "frequency",
    "clicks",
    "link_clicks",
    "conversions",
    "conversion_value_micros",
    "engagements",
    "video_p25",
    "video_p50",
    "video_p75",
    "video_p100",
    "actions_json",
    "attribution_windows",
    "source",
    "synced_at",
)
"""Every column of reachops.ad_insights_daily, in table order."""

LEVELS = ("campaign", "adset", "ad")
SOURCES = ("meta_api", "csv", "bq_source")
AD_DAILY_SERIES_SQL = "queries/ad_daily_series.sql"
"""Parameters: org_id, start_date, end_date (DATEs, included), reachops_campaign_id (or None)."""

MICROS_PER_UNIT = 1_000_000
IMPORT_SOURCE_SQL = "queries/import_ad_insights_source.sql"
"""Validates reachops.ad_insights_source row by row and upserts the valid rows (daily)."""


def save_insights(warehouse: Warehouse, rows: Sequence[Mapping[str, Any]]) -> None:
    """Upsert ad_insights_daily rows (each with every column of AD_INSIGHTS_COLUMNS)."""
    warehouse.merge_rows(AD_INSIGHTS_TABLE, rows, AD_INSIGHTS_KEYS, update_existing=True)
