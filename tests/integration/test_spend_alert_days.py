"""Spend limits are judged on the ad account's days: a day not over in its time zone raises a
partial alert, the complete day its own, each once (Firestore and Pub/Sub emulators, DuckDB)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from shared.adaccounts.alerts import SpendAlerts
from shared.adaccounts.models import AdAccount
from shared.bootstrap import Services
from shared.paid import AD_INSIGHTS_COLUMNS, save_insights

pytestmark = pytest.mark.integration
DAY = date(2026, 11, 30)
LIMIT = 10_000_000


def account() -> AdAccount:
    return AdAccount(
        account_id="555",
        name="Acme US",
        currency="USD",
        timezone="America/Los_Angeles",
        daily_spend_limit_micros=LIMIT,
        connection_id="c1",
        connected_at=datetime(2026, 11, 1, tzinfo=UTC),
        connected_by="k1",
    )


def campaign_row(org_id: str, spend_micros: int) -> dict[str, Any]:
    row: dict[str, Any] = dict.fromkeys(AD_INSIGHTS_COLUMNS)
    row.update(
        org_id=org_id,
        platform="meta",
        account_id="555",
        level="campaign",
        entity_id="77",
        entity_name="Holiday",
        campaign_id="77",
        date=DAY,
        currency="USD",
        spend_micros=spend_micros,
        source="meta_api",
        synced_at=datetime(2026, 12, 1, tzinfo=UTC),
    )
    return row


def test_a_day_still_running_in_the_accounts_zone_is_flagged_partial(
    app_services: Services,
) -> None:
    org_id = "org-spend-days"
    save_insights(app_services.warehouse, [campaign_row(org_id, 2 * LIMIT)])
    clock = {"now": datetime(2026, 12, 1, 6, 0, tzinfo=UTC)}  # 22:00 on 30 Nov in Los Angeles

    def now() -> datetime:
        return clock["now"]

    alerts = SpendAlerts(
        store=app_services.store,
        warehouse=app_services.warehouse,
        outbox=app_services.outbox,
        now=now,
    )
    partial = alerts.check_account(org_id, account(), DAY)
    assert partial == ["spend-account-555-daily-2026-11-30-partial"]
    assert alerts.check_account(org_id, account(), DAY) == []

    clock["now"] = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)  # 01:00 on 1 Dec in Los Angeles
    assert alerts.check_account(org_id, account(), DAY) == ["spend-account-555-daily-2026-11-30"]
    assert alerts.check_account(org_id, account(), DAY) == []
    breach = app_services.store.get(f"orgs/{org_id}/alert_breaches/{partial[0]}")
    assert breach is not None
