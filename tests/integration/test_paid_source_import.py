"""The BigQuery landing table for platforms without an SDK: valid rows import (idempotently),
invalid ones are listed with their reason and never loaded."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from shared.adapters.duckdb_warehouse import DuckDbWarehouse
from shared.config import get_settings
from shared.paid import IMPORT_SOURCE_SQL

pytestmark = pytest.mark.integration


def source_row(**fields: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "org_id": "o1",
        "platform": "google_ads",
        "account_id": "g1",
        "level": "campaign",
        "entity_id": "c1",
        "entity_name": "Search",
        "campaign_id": "c1",
        "date": date(2026, 11, 1),
        "currency": "EUR",
        "spend_micros": 12_500_000,
        "impressions": 1000,
        "clicks": 40,
        "loaded_at": datetime(2026, 11, 2, tzinfo=UTC),
    }
    row.update(fields)
    return row


def test_valid_rows_import_once_and_invalid_rows_are_named(tmp_path: Path) -> None:
    warehouse = DuckDbWarehouse(tmp_path / "w.duckdb", get_settings().sql_dir)
    warehouse.apply_schema()
    rows = [
        source_row(),
        source_row(entity_id="c2", campaign_id="c2", date=date(2026, 11, 2)),
        source_row(entity_id="c3", currency="euro"),
        source_row(entity_id="c4", spend_micros=-5),
        source_row(entity_id="c5", level="keyword"),
        source_row(entity_id="c6", platform="meta"),
    ]
    warehouse.merge_rows("ad_insights_source", rows, ["entity_id", "date"], update_existing=False)

    warehouse.run(IMPORT_SOURCE_SQL)
    warehouse.run(IMPORT_SOURCE_SQL)

    loaded = warehouse._connection.execute(
        "SELECT entity_id, source, spend_micros FROM reachops.ad_insights_daily ORDER BY 1"
    ).fetchall()
    assert loaded == [("c1", "bq_source", 12_500_000), ("c2", "bq_source", 12_500_000)]
    rejects = dict(
        warehouse._connection.execute(
            "SELECT entity_id, reject_reason FROM reachops.paid_source_rejects"
        ).fetchall()
    )
    assert rejects == {
        "c3": "currency: not an ISO 4217 code",
        "c4": "spend_micros: negative",
        "c5": "level: not campaign, adset or ad",
        "c6": "platform: missing, or meta (synced by API)",
    }
