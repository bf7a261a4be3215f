"""A monthly spend limit runs on the ad account's months: the days Meta reports are the
account's (30 November in Los Angeles ends at 08:00 UTC on 1 December), and a day's spend counts
towards its own month's limit only, never the next month's (Firestore and Pub/Sub emulators,
DuckDB)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from shared.adaccounts.alerts import SpendAlerts
from shared.adaccounts.models import AdAccount
from shared.bootstrap import Services
from shared.paid import AD_INSIGHTS_COLUMNS, save_insights

pytestmark = pytest.mark.integration
LIMIT = 10_000_000
NOVEMBER_LAST, DECEMBER_FIRST = date(2026, 11, 30), date(2026, 12, 1)


def account() -> AdAccount:
    return AdAccount(
        account_id="556",
        name="Acme US",
        currency="USD",
        timezone="America/Los_Angeles",
        monthly_spend_limit_micros=LIMIT,
        connection_id="c1",
        connected_at=datetime(2026, 11, 1, tzinfo=UTC),
        connected_by="k1",
    )


def campaign_day(org_id: str, day: date, spend_micros: int) -> dict[str, Any]:
    row: dict[str, Any] = dict.fromkeys(AD_INSIGHTS_COLUMNS)
    row.update(
        org_id=org_id,
        platform="meta",
        account_id="556",
        level="campaign",
        entity_id="78",
        entity_name="Holiday",
        campaign_id="78",
        date=day,
        currency="USD",
        spend_micros=spend_micros,
        source="meta_api",
        synced_at=datetime(2026, 12, 2, tzinfo=UTC),
    )
    return row


def test_a_monthly_limit_counts_the_accounts_own_month(app_services: Services) -> None:
    org_id = "org-spend-months"
    save_insights(
        app_services.warehouse,
        [
            campaign_day(org_id, NOVEMBER_LAST, 2 * LIMIT),
            campaign_day(org_id, DECEMBER_FIRST, LIMIT // 2),
        ],
    )
    alerts = SpendAlerts(
        store=app_services.store,
        warehouse=app_services.warehouse,
        outbox=app_services.outbox,
        now=lambda: datetime(2026, 12, 2, 12, 0, tzinfo=UTC),  # both days over in LA
    )
    assert alerts.check_account(org_id, account(), NOVEMBER_LAST) == [
        "spend-account-556-monthly-2026-11"
    ]
    assert alerts.check_account(org_id, account(), DECEMBER_FIRST) == []
