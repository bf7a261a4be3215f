"""reachops.forecast_actuals_daily on DuckDB: one source of conversions per campaign-day (tracked
credit where there is any, else Meta's own figures, never both), spend from the cost view."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from shared.adapters.duckdb_warehouse import DuckDbWarehouse
from shared.adapters.meta_insights import meta_insight_row
from shared.config import get_settings
from shared.paid import save_insights

pytestmark = pytest.mark.integration

TRACKED_DAY, META_DAY = date(2026, 11, 2), date(2026, 11, 3)


def meta_day(day: date) -> Any:
    raw = {
        "account_id": "act_1",
        "campaign_id": "meta1",
        "campaign_name": "Spring",
        "date_start": day.isoformat(),
        "account_currency": "EUR",
        "spend": "50.00",
        "impressions": "1000",
        "actions": [{"action_type": "offsite_conversion.fb_pixel_purchase", "value": "4"}],
        "action_values": [{"action_type": "offsite_conversion.fb_pixel_purchase", "value": "80"}],
    }
    return meta_insight_row(
        raw, org_id="o1", level="campaign", synced_at=datetime.now(UTC), reachops_campaign_id="rc1"
    )


def test_tracked_credit_replaces_metas_figures_on_its_campaign_day() -> None:
    warehouse = DuckDbWarehouse(":memory:", get_settings().sql_dir)
    warehouse.apply_schema()
    save_insights(warehouse, [meta_day(TRACKED_DAY), meta_day(META_DAY)])
    at = datetime(2026, 11, 2, 15, tzinfo=UTC)
    purchase = {
        "org_id": "o1",
        "site_id": "",
        "event_id": "e1",
        "source": "api",
        "event_type": "purchase",
        "occurred_at": at,
        "received_at": at,
        "value_micros": 30_000_000,
        "currency": "EUR",
        "order_id": "order-1",
        "campaign_id": "rc1",
    }
    warehouse.merge_rows(
        "track_events", [purchase], ("org_id", "site_id", "event_id"), update_existing=False
    )

    def actual(metric: str, day: date) -> list[tuple[str, float]]:
        rows = warehouse.run(
            "queries/forecast_history.sql",
            {
                "org_id": "o1",
                "campaign_id": "rc1",
                "channel": None,
                "metric": metric,
                "currency": None if metric == "conversions" else "EUR",
                "start_date": day,
                "end_date": day,
            },
        )
        return [(str(r["day"]), float(r["value"])) for r in rows]

    assert actual("conversions", TRACKED_DAY) == [(TRACKED_DAY.isoformat(), 1.0)]
    assert actual("conversions", META_DAY) == [(META_DAY.isoformat(), 4.0)]
    assert actual("revenue", TRACKED_DAY) == [(TRACKED_DAY.isoformat(), 30_000_000.0)]
    assert actual("revenue", META_DAY) == [(META_DAY.isoformat(), 80_000_000.0)]
    assert actual("spend", TRACKED_DAY) == [(TRACKED_DAY.isoformat(), 50_000_000.0)]
