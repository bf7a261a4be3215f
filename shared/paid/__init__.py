"""Paid media: daily ad insights, their KPIs, flight pacing, forecasts and budget allocation.

Insights live in reachops.ad_insights_daily (bigquery_sql/schema/ad_insights_daily.sql), one
row per (org_id, platform, account_id, level, entity_id, date), money in micros of the ad
account's currency; its conversions are the `default` attribution window's. Each other window's
conversions live in reachops.ad_conversions_daily (one row per entity, day and window), and
reach and frequency over a whole date range in reachops.ad_insights_range (from a range report:
daily reach does not add up). Rows come from the Meta Graph API
(shared/adapters/meta_insights.py, typed `rows.AdInsightRow`s) or from CSV files for platforms
without an SDK (`csv_import.parse_insights_csv`), and are written with `save_insights`, an
upsert on the tables' keys: a platform restating a day replaces its rows, and loading the same
rows twice changes nothing.

Dependencies run one way: shared.adaccounts (the sync) imports shared.paid, never the reverse;
tests/unit/test_domain_imports.py fails on any cycle between domain packages.

Which level answers for a campaign-day is decided once, by bigquery_sql/views/
paid_answering_rows.sql, which every paid KPI view and query reads. Each KPI is defined once,
as a SQL function of bigquery_sql/functions/paid_kpis.sql that the analysts' views
(bigquery_sql/views/paid_kpis_*.sql) and the API's queries call (`kpis` only explains nulls);
bigquery_sql/queries/ad_daily_series.sql gives the daily series that `pacing`, the flight
forecast (shared/forecasting/flight.py) and `budget` read.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

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


AD_CONVERSIONS_TABLE = "ad_conversions_daily"
AD_CONVERSIONS_KEYS = (*AD_INSIGHTS_KEYS, "attribution_window")
AD_RANGE_TABLE = "ad_insights_range"
AD_RANGE_KEYS = ("org_id", "platform", "account_id", "level", "entity_id", "since", "until")


class InsightRecord(Protocol):
    """A typed insights row that knows its ad_insights_daily columns and its per-window rows."""

    def daily_columns(self) -> dict[str, Any]: ...

    def window_rows(self) -> list[dict[str, Any]]: ...


def save_insights(warehouse: Warehouse, rows: Sequence[Mapping[str, Any] | InsightRecord]) -> None:
    """Upsert ad_insights_daily rows (mappings with every column of AD_INSIGHTS_COLUMNS, or
    typed records, whose per-window conversions go to ad_conversions_daily too)."""
    daily: list[Mapping[str, Any]] = []
    windows: list[Mapping[str, Any]] = []
    for row in rows:
        if isinstance(row, Mapping):
            daily.append(row)
        else:
            daily.append(row.daily_columns())
            windows += row.window_rows()
    warehouse.merge_rows(AD_INSIGHTS_TABLE, daily, AD_INSIGHTS_KEYS, update_existing=True)
    if windows:
        warehouse.merge_rows(
            AD_CONVERSIONS_TABLE, windows, AD_CONVERSIONS_KEYS, update_existing=True
        )
