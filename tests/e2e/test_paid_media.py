"""Paid media end to end on the local stack: Meta OAuth through the local Graph API server and
the real facebook-business SDK, insight sync, spend alerts, KPIs for a creator's paid
campaigns, pacing, forecast and budget advice, and CSV imports for other platforms."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import httpx
import pytest

from shared.auth import Role
from shared.localstack.identities import TASKS_INVOKER
from shared.localstack.stack import StackInfo
from tests.e2e.conftest import Tenant
from tests.e2e.creator_flow import eventually
from tests.e2e.helpers import TODAY, create_brand, create_campaign, to_meta_and_back

pytestmark = pytest.mark.e2e
EU_ACCOUNT = "100000000000101"
ARCHIVED_EU_CAMPAIGN = "120210000000001400"  # the stand-in's sample data
LEADS_EU_CAMPAIGN = "120210000000001500"
EU_CAMPAIGN = "120210000000001100"


@pytest.fixture
def graph(local_stack: StackInfo) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=f"{local_stack.graph_api_url}/_control", timeout=10) as client:
        client.post("/reset").raise_for_status()
        yield client
        client.post("/reset").raise_for_status()


def connect(tenant: Tenant) -> list[dict[str, Any]]:
    """What a person does: open the authorize URL; Meta redirects to the callback function."""
    start = tenant[Role.ADMIN].post("/ad-accounts/connect", json={})
    assert start.status_code == 201, start.text
    landed = httpx.get(start.json()["authorize_url"], follow_redirects=True, timeout=60)
    assert landed.status_code == 200, landed.text
    connected: list[dict[str, Any]] = landed.json()["connected"]
    return connected


def synced(client: httpx.Client, account_id: str, status: str = "succeeded") -> dict[str, Any]:
    def done() -> dict[str, Any] | None:
        accounts = {a["account_id"]: a for a in client.get("/ad-accounts").json()["items"]}
        account = accounts[account_id]
        return account if account["sync_status"] == status else None

    result: dict[str, Any] = eventually(done, f"sync {status}", timeout=120)
    return result


def test_connect_lists_accounts_and_never_returns_the_token(
    tenant: Tenant, graph: httpx.Client
) -> None:
    connected = connect(tenant)
    assert {a["account_id"] for a in connected} == {EU_ACCOUNT, "100000000000202"}
    listing = tenant[Role.VIEWER].get("/ad-accounts")
    assert "token" not in listing.text.lower().replace("token_reference", "")
    eu = next(a for a in listing.json()["items"] if a["account_id"] == EU_ACCOUNT)
    assert (eu["currency"], eu["sync_status"], eu["lookback_days"]) == ("EUR", "never", 28)
    assert eu["attribution_windows"] == ["7d_click", "1d_view"]

    admin = tenant[Role.ADMIN]
    child = admin.patch("/ad-accounts/100000000000202", json={"parent_account_id": EU_ACCOUNT})
    assert child.status_code == 200
    parent = next(
        a for a in admin.get("/ad-accounts").json()["items"] if a["account_id"] == EU_ACCOUNT
    )
    assert parent["children"] == ["100000000000202"]


def test_an_oauth_state_works_once_and_forged_ones_never(
    tenant: Tenant, local_stack: StackInfo, graph: httpx.Client
) -> None:
    start = tenant[Role.ADMIN].post("/ad-accounts/connect", json={}).json()
    with httpx.Client(timeout=60) as browser:
        callback = to_meta_and_back(browser, start["authorize_url"])
        assert browser.get(callback).status_code == 200
        assert browser.get(callback).status_code == 409  # a state works once
        forged = browser.get(
            f"{local_stack.functions_base_url}/meta_oauth_callback",
            params={"code": "sample-code-3", "state": "e30.deadbeef"},
        )
    assert forged.status_code == 401
    assert forged.json()["error"]["field"] in ("cookie", "query.state")
    assert tenant[Role.MEMBER].post("/ad-accounts/connect", json={}).status_code == 403


def test_sync_loads_insights_raises_a_spend_alert_once_and_feeds_creator_kpis(
    tenant: Tenant, graph: httpx.Client
) -> None:
    connect(tenant)
    admin, member = tenant[Role.ADMIN], tenant[Role.MEMBER]
    creator = member.post(
        "/creators",
        json={"name": "Anna", "profiles": [{"platform": "instagram", "username": "trail.anna"}]},
    ).json()
    campaign = create_campaign(
        member,
        create_brand(admin),
        start_date=(TODAY - timedelta(days=20)).isoformat(),
        end_date=(TODAY + timedelta(days=10)).isoformat(),
    )
    link = admin.put(
        f"/ad-accounts/{EU_ACCOUNT}/campaigns/{EU_CAMPAIGN}",
        json={"reachops_campaign_id": campaign["campaign_id"], "creator_id": creator["creator_id"]},
    )
    assert link.status_code == 200, link.text
    limit = admin.patch(
        f"/ad-accounts/{EU_ACCOUNT}", json={"monthly_spend_limit_micros": 1_000_000}
    )
    assert limit.status_code == 200

    assert member.post(f"/ad-accounts/{EU_ACCOUNT}/sync").status_code == 202
    account = synced(member, EU_ACCOUNT)
    assert account["last_successful_sync_at"] is not None
    assert account["last_error"] is None

    alerts = eventually(lambda: member.get("/alerts").json()["items"], "a spend alert")
    assert [a["kind"] for a in alerts] == ["spend_limit"]
    assert alerts[0]["data"]["period"] == "monthly"

    member.post(f"/ad-accounts/{EU_ACCOUNT}/sync")
    synced(member, EU_ACCOUNT)
    assert len(member.get("/alerts").json()["items"]) == 1

    paid = member.get(f"/creators/{creator['creator_id']}/paid-campaigns").json()
    (summary,) = paid["items"]
    assert summary["campaign_id"] == EU_CAMPAIGN
    assert summary["spend_micros"] > 0
    assert summary["reach"] is None
    assert summary["rating"] in ("Strong", "Average", "Underperforming")
    assert paid["cached"] is False
    assert member.get(f"/creators/{creator['creator_id']}/paid-campaigns").json()["cached"] is True
    refreshed = member.get(
        f"/creators/{creator['creator_id']}/paid-campaigns", params={"refresh": "true"}
    )
    assert refreshed.json()["cached"] is False

    pacing = member.get(f"/campaigns/{campaign['campaign_id']}/pacing").json()["pacing"]
    assert pacing["spend_to_date_micros"] > 0
    assert pacing["pacing_pct"] is not None
    forecast = member.get(f"/campaigns/{campaign['campaign_id']}/forecast").json()
    assert forecast["forecast"]["spend_micros"]["status"] in ("ok", "insufficient_data")
    advice = member.get(f"/campaigns/{campaign['campaign_id']}/budget/recommendation").json()
    assert advice["advice"]["status"] in ("ok", "no_channels", "infeasible")


def test_an_expired_token_marks_the_account_and_alerts(tenant: Tenant, graph: httpx.Client) -> None:
    connect(tenant)
    graph.post("/faults", json={"expire_tokens": True})
    member = tenant[Role.MEMBER]
    member.post(f"/ad-accounts/{EU_ACCOUNT}/sync")

    account = synced(member, EU_ACCOUNT, status="failed")
    assert account["status"] == "needs_reauth"
    alerts = eventually(lambda: member.get("/alerts").json()["items"], "a re-auth alert")
    assert alerts[0]["kind"] == "needs_reauth"
    assert member.post(f"/ad-accounts/{EU_ACCOUNT}/sync").status_code == 409
    assert member.get(f"/ad-accounts/{EU_ACCOUNT}/kpis").json()["items"] == []


def test_meta_server_errors_are_retried_and_the_sync_completes(
    tenant: Tenant, graph: httpx.Client
) -> None:
    connect(tenant)
    graph.post("/faults", json={"server_error_next": 3})
    member = tenant[Role.MEMBER]
    member.post(f"/ad-accounts/{EU_ACCOUNT}/sync")
    assert synced(member, EU_ACCOUNT)["last_error"] is None
    assert len(member.get(f"/ad-accounts/{EU_ACCOUNT}/kpis").json()["items"]) == 5  # campaigns


def test_a_creator_without_paid_campaigns_gets_an_empty_list_and_a_reason(tenant: Tenant) -> None:
    member = tenant[Role.MEMBER]
    creator = member.post(
        "/creators",
        json={"name": "New", "profiles": [{"platform": "tiktok", "username": "newcomer"}]},
    ).json()
    paid = member.get(f"/creators/{creator['creator_id']}/paid-campaigns").json()
    assert paid["items"] == []
    assert paid["reason"] == "no paid campaign is linked to this creator yet"
    assert member.get("/creators/nope/paid-campaigns").status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"lookback_days": 0}, "lookback_days"),
        ({"lookback_days": 400}, "lookback_days"),
        ({"attribution_windows": ["3d_click"]}, "attribution_windows.0"),
        ({"daily_spend_limit_micros": -1}, "daily_spend_limit_micros"),
        ({"parent_account_id": "100000000000101"}, "parent_account_id"),
        ({"token": "x"}, "token"),
    ],
)
def test_bad_ad_account_changes_are_named(
    tenant: Tenant, graph: httpx.Client, body: dict[str, Any], field: str
) -> None:
    connect(tenant)
    response = tenant[Role.ADMIN].patch(f"/ad-accounts/{EU_ACCOUNT}", json=body)
    assert response.status_code == 422, response.text
    assert response.json()["error"]["field"] == field


def test_a_report_that_fails_twice_is_split_and_the_sync_completes(
    tenant: Tenant, graph: httpx.Client
) -> None:
    connect(tenant)
    graph.post("/faults", json={"fail_reports_next": 6})  # every unit fails twice
    member = tenant[Role.MEMBER]
    member.post(f"/ad-accounts/{EU_ACCOUNT}/sync")
    assert synced(member, EU_ACCOUNT)["last_error"] is None
    calls = graph.get("/calls").json()["calls"]
    report_objects = {
        c["path"].split("/")[2]
        for c in calls
        if c["path"].endswith("/insights") and c["method"] == "POST"
    }
    assert any(obj.startswith("1202") for obj in report_objects)


CSV_HEADER = (
    "platform,account_id,level,entity_id,entity_name,campaign_id,adset_id,ad_id,"
    "reachops_campaign_id,creator_id,date,currency,spend,impressions,reach,frequency,clicks,"
    "link_clicks,conversions,conversion_value,engagements,video_p25,video_p50,video_p75,"
    "video_p100,actions_json,attribution_windows"
)


def test_csv_rows_load_and_bad_ones_come_back_with_line_numbers(tenant: Tenant) -> None:
    identity = "tiktok_ads,tt1,campaign,c1,Spring,c1,,,,"
    good = f"{identity},2026-11-01,EUR,120.50,10000,,,200,150,3,90.00,400,,,,,,"
    bad = f"{identity},2026-13-01,EUR,abc,10000,,,200,150,3,90.00,400,,,,,,"
    body = "\n".join([CSV_HEADER, good, bad]) + "\n"
    member = tenant[Role.MEMBER]
    response = member.post(
        "/ad-insights/csv", content=body.encode(), headers={"Content-Type": "text/csv"}
    )
    assert response.status_code == 200, response.text
    result = response.json()
    assert result["loaded"] == 1
    (rejected,) = result["rejected"]
    assert rejected["line"] == 3
    assert "date" in rejected["reason"]
    assert "spend" in rejected["reason"]

    wrong_header = member.post(
        "/ad-insights/csv", content=b"a,b\n1,2\n", headers={"Content-Type": "text/csv"}
    )
    assert wrong_header.status_code == 422
    assert (
        tenant[Role.VIEWER]
        .post("/ad-insights/csv", content=body.encode(), headers={"Content-Type": "text/csv"})
        .status_code
        == 403
    )


def step_sync(stack: StackInfo, tenant: Tenant, sync_id: str) -> dict[str, Any]:
    """One delivery of the meta-insights queue, as Cloud Tasks makes it."""
    response = httpx.post(
        f"{stack.functions_base_url}/insights_sync",
        json={"org_id": tenant.org_id, "account_id": EU_ACCOUNT, "sync_id": sync_id},
        headers=stack.invoker_headers(TASKS_INVOKER, "insights_sync"),
        timeout=60,
    )
    assert response.status_code == 200, response.text
    outcome: dict[str, Any] = response.json()
    return outcome


def test_throttling_waits_as_long_as_meta_says_and_resumes_where_it_stopped(
    tenant: Tenant, local_stack: StackInfo, graph: httpx.Client
) -> None:
    connect(tenant)
    graph.post("/faults", json={"throttle_next": 2, "throttle_code": 80004, "regain_minutes": 2})

    first = step_sync(local_stack, tenant, "throttled-run")

    assert first["next_step_in_seconds"] >= 120
    outcome = first
    for _ in range(40):
        if outcome["next_step_in_seconds"] is None:
            break
        outcome = step_sync(local_stack, tenant, "throttled-run")
    assert outcome["status"] == "succeeded"
    started = [
        c
        for c in graph.get("/calls").json()["calls"]
        if c["method"] == "POST" and c["path"].endswith("/insights") and c["status"] == 200
    ]
    assert len(started) == 3  # one report per level: nothing was started twice


def test_high_usage_slows_the_sync_down_before_meta_throttles(
    tenant: Tenant, local_stack: StackInfo, graph: httpx.Client
) -> None:
    connect(tenant)
    graph.post("/faults", json={"usage_pct": 90})
    assert step_sync(local_stack, tenant, "busy-run")["next_step_in_seconds"] == 60


def test_the_kpi_table_divides_safely_and_validates_dates(
    tenant: Tenant, graph: httpx.Client
) -> None:
    connect(tenant)
    member = tenant[Role.MEMBER]
    member.post(f"/ad-accounts/{EU_ACCOUNT}/sync")
    synced(member, EU_ACCOUNT)
    table = member.get(f"/ad-accounts/{EU_ACCOUNT}/kpis").json()
    assert len(table["items"]) == 5  # the EU sample account's campaigns, ended ones included
    settings = {item["campaign_id"]: item for item in table["items"]}
    assert all(item["objective"] and item["effective_status"] for item in table["items"])
    assert settings[ARCHIVED_EU_CAMPAIGN]["effective_status"] == "ARCHIVED"
    assert settings[LEADS_EU_CAMPAIGN]["objective"] == "OUTCOME_LEADS"
    row = table["items"][0]
    assert row["kpis"]["cpm"] == pytest.approx(
        row["spend_micros"] / 1e6 / row["impressions"] * 1000
    )
    bad = member.get(
        f"/ad-accounts/{EU_ACCOUNT}/kpis", params={"since": "2026-11-10", "until": "2026-11-01"}
    )
    assert bad.status_code == 422
    assert member.get("/ad-accounts/nope/kpis").status_code == 404
