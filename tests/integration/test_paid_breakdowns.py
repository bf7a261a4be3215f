"""Breakdowns, object settings and token inspection through the real facebook-business SDK
(MetaAds) against the local Graph API stand-in, loaded into the DuckDB warehouse by the very
BigQuery SQL production runs."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from shared.adaccounts.breakdowns import BREAKDOWNS, QUERY_SQL, BreakdownSync
from shared.adaccounts.metadata import MetadataSync
from shared.adaccounts.models import AdAccount
from shared.adapters.duckdb_warehouse import DuckDbWarehouse
from shared.adapters.meta_ads import MetaAds
from shared.adapters.meta_insights import meta_insight_row
from shared.config import get_settings
from shared.localstack.graph import LocalGraphApi
from tests.integration.graph_standin_fixtures import serving

pytestmark = pytest.mark.integration

START = datetime(2026, 3, 16, 10, 0, tzinfo=UTC)
APP_ID, APP_SECRET = "100000000000042", "breakdown-tests-app-secret"
TOKEN = "sample-token-breakdown-tests"
EU_ID = "100000000000101"
EU_CAMPAIGN = "120210000000001100"
WINDOW = (START.date() - timedelta(days=7), START.date() - timedelta(days=1))
ACCOUNT = AdAccount(
    account_id=EU_ID,
    name="Acme Outdoor EU (sample)",
    currency="EUR",
    timezone="Europe/Berlin",
    connection_id="c1",
    connected_at=START,
    connected_by="k1",
)


@pytest.fixture(scope="module")
def graph_url() -> Iterator[str]:
    app = LocalGraphApi(app_id=APP_ID, app_secret=APP_SECRET, clock=lambda: START)
    with serving(app) as url:
        yield url


@pytest.fixture
def control(graph_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=graph_url + "/_control", timeout=5) as http:
        http.post("/reset").raise_for_status()
        yield http


@pytest.fixture
def ads(graph_url: str, control: httpx.Client) -> MetaAds:
    return MetaAds(APP_ID, APP_SECRET, graph_url=graph_url, backoff_seconds=0, clock=lambda: START)


@pytest.fixture
def warehouse(tmp_path: Path) -> Iterator[DuckDbWarehouse]:
    made = DuckDbWarehouse(tmp_path / "w.duckdb", get_settings().sql_dir)
    made.apply_schema()
    yield made
    made.close()


def select(warehouse: DuckDbWarehouse, sql: str, *params: object) -> list[dict[str, Any]]:
    cursor = warehouse._connection.execute(sql, list(params))
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def sync_breakdowns(ads: MetaAds, warehouse: DuckDbWarehouse) -> int:
    return BreakdownSync(warehouse=warehouse, convert=meta_insight_row).sync(
        ads, "org-1", ACCOUNT, TOKEN, window=WINDOW, synced_at=START
    )


def unbroken_campaign_spend(ads: MetaAds) -> dict[tuple[str, date], int | None]:
    """The campaigns' daily spend as the plain insights report gives it."""
    rows = ads.breakdown_rows(
        TOKEN,
        f"act_{EU_ID}",
        level="campaign",
        breakdowns=(),
        since=WINDOW[0],
        until=WINDOW[1],
        attribution_windows=ACCOUNT.attribution_windows,
    )
    spend: dict[tuple[str, date], int | None] = {}
    for raw in rows:
        row = meta_insight_row(
            raw, org_id="org-1", level="campaign", synced_at=START, account_currency="EUR"
        )
        spend[(row.entity_id, row.date)] = row.spend_micros
    return spend


def test_each_breakdown_adds_up_to_the_unbroken_rows(
    ads: MetaAds, warehouse: DuckDbWarehouse
) -> None:
    assert sync_breakdowns(ads, warehouse) > 0
    unbroken = unbroken_campaign_spend(ads)
    assert unbroken
    for breakdown in BREAKDOWNS:
        sums = select(
            warehouse,
            "SELECT entity_id, date, SUM(spend_micros) AS spend FROM reachops.ad_breakdowns_daily"
            " WHERE level = 'campaign' AND breakdown = ? GROUP BY entity_id, date",
            breakdown,
        )
        got = {(r["entity_id"], r["date"]): int(r["spend"]) for r in sums}
        assert got == unbroken, breakdown


def test_a_second_sync_changes_nothing(ads: MetaAds, warehouse: DuckDbWarehouse) -> None:
    sync_breakdowns(ads, warehouse)
    before = select(warehouse, "SELECT * FROM reachops.ad_breakdowns_daily ORDER BY ALL")
    sync_breakdowns(ads, warehouse)
    assert select(warehouse, "SELECT * FROM reachops.ad_breakdowns_daily ORDER BY ALL") == before


def test_the_breakdown_query_sums_segments_of_one_object(
    ads: MetaAds, warehouse: DuckDbWarehouse
) -> None:
    sync_breakdowns(ads, warehouse)
    params = {
        "org_id": "org-1",
        "account_id": EU_ID,
        "breakdown": "age_gender",
        "level": "ad",
        "object_id": EU_CAMPAIGN,
        "since": WINDOW[0],
        "until": WINDOW[1],
    }
    segments = warehouse.run(QUERY_SQL, params)
    assert segments
    assert all(s["age"] and s["gender"] and s["country"] is None for s in segments)
    assert all(s["reach"] is None for s in segments if s["days"] > 1)
    ad_total = select(
        warehouse,
        "SELECT SUM(spend_micros) AS s FROM reachops.ad_breakdowns_daily WHERE level = 'ad'"
        " AND breakdown = 'age_gender' AND campaign_id = ?",
        EU_CAMPAIGN,
    )[0]["s"]
    assert sum(s["spend_micros"] for s in segments) == ad_total
    assert warehouse.run(QUERY_SQL, {**params, "org_id": "someone-else"}) == []


def test_object_settings_are_current_and_ads_carry_their_creative(
    ads: MetaAds, warehouse: DuckDbWarehouse
) -> None:
    assert MetadataSync(warehouse=warehouse).sync(ads, "org-1", ACCOUNT, TOKEN, START) > 0
    current = {
        r["object_id"]: r for r in select(warehouse, "SELECT * FROM reachops.paid_objects_current")
    }
    campaign = current[EU_CAMPAIGN]
    assert (campaign["objective"], campaign["daily_budget_micros"]) == (
        "OUTCOME_SALES",
        150_000_000,
    )
    assert campaign["bid_strategy"] == "LOWEST_COST_WITHOUT_CAP"
    ads_rows = [r for r in current.values() if r["level"] == "ad"]
    assert ads_rows
    assert all(r["creative_id"] for r in ads_rows)
    assert all(r["objective"] for r in ads_rows if r["campaign_id"] == EU_CAMPAIGN)
    assert {r["effective_status"] for r in current.values()} <= {
        "ACTIVE", "PAUSED", "CAMPAIGN_PAUSED", "ADSET_PAUSED", "ARCHIVED", "WITH_ISSUES",
        "IN_PROCESS", "PENDING_REVIEW", "DISAPPROVED", "PREAPPROVED", "PENDING_BILLING_INFO",
    }  # fmt: skip


def test_debug_token_tells_user_tokens_from_system_user_tokens(
    ads: MetaAds, control: httpx.Client
) -> None:
    system = control.post("/system_user_token", json={}).json()["access_token"]
    info = ads.debug_token(system)
    assert (info.token_type, info.is_valid, info.expires_at) == ("SYSTEM_USER", True, None)
    issued = ads.exchange_code("sample-code-tokens", "https://app.reachops.example/cb")
    user = ads.debug_token(issued.access_token)
    assert (user.token_type, user.is_valid) == ("USER", True)
    assert user.expires_at is not None
    assert timedelta(days=59) < user.expires_at - START <= timedelta(days=60)
    bogus = ads.debug_token("not-a-token-meta-issued")
    assert bogus.is_valid is False
