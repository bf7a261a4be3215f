"""Paid numbers that reconcile with Ads Manager, end to end on the local stack (Graph API
stand-in, real facebook-business SDK): each attribution window from its own key, `default` under
each ad set's own attribution setting (as Ads Manager adds a campaign up), withdrawn windows
refused, conversion events that follow the campaign objective (lead-gen and app
campaigns get a CPA), custom conversions by account setting, and range reach in the KPI table."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from shared.auth import Role
from shared.localstack.stack import StackInfo
from tests.e2e.conftest import Tenant
from tests.e2e.creator_flow import eventually

pytestmark = pytest.mark.e2e
EU_ACCOUNT = "100000000000101"
US_ACCOUNT = "100000000000202"
EU_SALES = "120210000000001100"  # ad sets on Meta's default, 7-day click + 1-day view
EU_RETARGETING = "120210000000001200"  # one ad set on 1-day click, one on 7-day click
EU_LEADS = "120210000000001500"
US_APP = "120220000000002300"
US_TRAFFIC = "120220000000002400"
US_CUSTOM = "custom:2381000000000101"


@pytest.fixture
def graph(local_stack: StackInfo) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=f"{local_stack.graph_api_url}/_control", timeout=10) as client:
        client.post("/reset").raise_for_status()
        yield client
        client.post("/reset").raise_for_status()


def connect_and_sync(tenant: Tenant, account_id: str, **settings: Any) -> None:
    start = tenant[Role.ADMIN].post("/ad-accounts/connect", json={})
    assert start.status_code == 201, start.text
    landed = httpx.get(start.json()["authorize_url"], follow_redirects=True, timeout=60)
    assert landed.status_code == 200, landed.text
    if settings:
        patched = tenant[Role.ADMIN].patch(f"/ad-accounts/{account_id}", json=settings)
        assert patched.status_code == 200, patched.text
    member = tenant[Role.MEMBER]
    assert member.post(f"/ad-accounts/{account_id}/sync").status_code == 202

    def done() -> dict[str, Any] | None:
        accounts = {a["account_id"]: a for a in member.get("/ad-accounts").json()["items"]}
        account: dict[str, Any] = accounts[account_id]
        return account if account["sync_status"] in ("succeeded", "failed") else None

    account = eventually(done, "the sync", timeout=180)
    assert account["sync_status"] == "succeeded", account["last_error"]


def kpis(tenant: Tenant, account_id: str, **params: str) -> dict[str, Any]:
    response = tenant[Role.VIEWER].get(f"/ad-accounts/{account_id}/kpis", params=params)
    assert response.status_code == 200, response.text
    table: dict[str, Any] = response.json()
    return table


def by_campaign(table: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {row["campaign_id"]: row for row in table["items"]}


def test_windows_leads_and_range_reach_of_an_eu_account(
    tenant: Tenant, graph: httpx.Client
) -> None:
    connect_and_sync(tenant, EU_ACCOUNT, attribution_windows=["1d_click", "7d_click", "1d_view"])

    default = kpis(tenant, EU_ACCOUNT)
    assert default["attribution_window"] == "default"
    rows = by_campaign(default)
    leads = rows[EU_LEADS]
    assert leads["conversions"] is not None  # lead-gen: leads count, so CPA is known
    assert leads["kpis"]["cpa"] is not None
    sales = rows[EU_SALES]
    assert sales["conversions"] > 0
    assert sales["kpis"]["roas"] is not None
    assert sales["reach"] is not None, sales["unknown"]  # from the range report
    assert sales["frequency"] == pytest.approx(sales["impressions"] / sales["reach"], rel=1e-3)

    one_day = by_campaign(kpis(tenant, EU_ACCOUNT, attribution_window="1d_click"))
    seven_day = by_campaign(kpis(tenant, EU_ACCOUNT, attribution_window="7d_click"))
    assert one_day[EU_SALES]["conversions"] <= seven_day[EU_SALES]["conversions"]
    assert seven_day[EU_SALES]["conversions"] < sales["conversions"]  # value adds 1d_view
    assert seven_day[EU_SALES]["spend_micros"] == sales["spend_micros"]
    mixed = rows[EU_RETARGETING]["conversions"]  # no view-through: between the click windows
    assert (
        one_day[EU_RETARGETING]["conversions"] <= mixed <= seven_day[EU_RETARGETING]["conversions"]
    )

    viewer = tenant[Role.VIEWER]
    withdrawn = viewer.get(
        f"/ad-accounts/{EU_ACCOUNT}/kpis", params={"attribution_window": "7d_view"}
    )
    assert withdrawn.status_code == 422
    assert withdrawn.json()["error"]["field"] == "query.attribution_window"
    assert "no longer offered" in withdrawn.text
    never_synced = viewer.get(
        f"/ad-accounts/{EU_ACCOUNT}/kpis", params={"attribution_window": "28d_click"}
    )
    assert never_synced.status_code == 422
    assert "do not ask Meta for 28d_click" in never_synced.text
    refused = tenant[Role.ADMIN].patch(
        f"/ad-accounts/{EU_ACCOUNT}", json={"attribution_windows": ["7d_click", "28d_view"]}
    )
    assert refused.status_code == 422
    assert refused.json()["error"]["field"] == "attribution_windows.1"

    day = {"since": default["since"], "until": default["since"]}
    other_table = kpis(tenant, EU_ACCOUNT, **day)
    other_range = by_campaign(other_table)
    assert other_range[EU_SALES]["reach"] is None  # no range report for that range yet
    assert "never a sum of daily reach" in other_range[EU_SALES]["unknown"]["reach"]
    assert other_table["range_reach"]["status"] == "pending"  # asked of Meta

    def range_report() -> dict[str, Any] | None:
        table = kpis(tenant, EU_ACCOUNT, **day)
        return table if table["range_reach"]["status"] == "ready" else None

    ready: dict[str, Any] = eventually(range_report, "the requested range report", timeout=120)
    assert by_campaign(ready)[EU_SALES]["reach"] is not None, ready["range_reach"]
    assert ready["totals"]["reach"] is not None, ready["totals"]["unknown"]


def test_app_installs_and_custom_conversions_of_a_us_account(
    tenant: Tenant, graph: httpx.Client
) -> None:
    connect_and_sync(tenant, US_ACCOUNT)
    rows = by_campaign(kpis(tenant, US_ACCOUNT))
    assert rows[US_APP]["conversions"] > 0  # app promotion: installs count
    assert rows[US_APP]["kpis"]["cpa"] is not None

    bad = tenant[Role.ADMIN].patch(
        f"/ad-accounts/{US_ACCOUNT}", json={"conversion_events": ["custom:guides"]}
    )
    assert bad.status_code == 422
    assert bad.json()["error"]["field"] == "conversion_events.0"
    connect_and_sync(tenant, US_ACCOUNT, conversion_events=[US_CUSTOM])
    custom = by_campaign(kpis(tenant, US_ACCOUNT))
    assert custom[US_TRAFFIC]["conversions"] > 0
    assert custom[US_APP]["conversions"] is None  # installs no longer count for this account
    assert "no conversion event" in custom[US_APP]["unknown"]["conversions"]
