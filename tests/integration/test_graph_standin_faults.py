"""The Graph stand-in's injectable faults and tokens, each as a test would use them: "reduce
the amount of data" on large requests, undocumented error codes, a gateway's HTML page, stuck
and level-specific failed reports, tokens expiring mid-sync, and token lifetimes seen through
GET /debug_token as the server clock moves on (long-lived user tokens after 60 days, System
User tokens never)."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import httpx
import pytest
from facebook_business.adobjects.adaccount import AdAccount
from facebook_business.adobjects.adreportrun import AdReportRun
from facebook_business.api import FacebookAdsApi
from facebook_business.exceptions import FacebookRequestError

from tests.integration.graph_standin_fixtures import (
    APP_ID,
    APP_SECRET,
    EU,
    START,
    api,
    clock,
    control,
    graph,
    graph_url,
)

pytestmark = pytest.mark.integration
__all__ = ["api", "clock", "control", "graph", "graph_url"]  # fixtures, used by name

RANGE = {"since": "2026-03-02", "until": "2026-03-15"}  # 14 days
APP_TOKEN = f"{APP_ID}|{APP_SECRET}"


def start(api: FacebookAdsApi, level: str) -> AdReportRun:
    params = {"level": level, "time_range": RANGE, "time_increment": 1}
    return AdAccount(EU, api=api).get_insights(["spend"], params, is_async=True)


def statuses(run: AdReportRun, reads: int) -> list[tuple[str, int]]:
    out = []
    for _ in range(reads):
        run = run.api_get()
        out.append((run["async_status"], run["async_percent_completion"]))
    return out


def test_large_requests_are_asked_to_reduce_the_data(
    api: FacebookAdsApi, control: httpx.Client, graph: httpx.Client
) -> None:
    control.post("/faults", json={"too_much_data_over": 100})
    account = AdAccount(EU, api=api)

    with pytest.raises(FacebookRequestError) as caught:  # 17 ads x 14 days
        list(account.get_insights(["spend"], {"level": "ad", "time_range": RANGE}))
    small = list(account.get_insights(["spend"], {"level": "campaign", "time_range": RANGE}))
    run = start(api, "ad")
    statuses(run, 3)
    big_page = graph.get(f"/{run['id']}/insights", params={"limit": 500})
    small_page = graph.get(f"/{run['id']}/insights", params={"limit": 50})

    assert (caught.value.api_error_code(), caught.value.api_error_subcode()) == (100, 1487534)
    assert "reduce the amount of data" in caught.value.api_error_message()
    assert small  # 5 campaigns x 14 days fits
    assert big_page.json()["error"]["error_subcode"] == 1487534
    assert len(small_page.json()["data"]) == 50


def test_an_undocumented_error_code_is_answered_as_given(
    graph: httpx.Client, control: httpx.Client
) -> None:
    control.post("/faults", json={"unknown_error_next": 1, "unknown_error_code": 2334010})
    failed, then = graph.get("/me"), graph.get("/me")
    assert (failed.status_code, failed.json()["error"]["code"]) == (400, 2334010)
    assert then.status_code == 200


@pytest.mark.parametrize("status", [502, 503])
def test_a_gateway_error_is_an_html_page(
    graph: httpx.Client, control: httpx.Client, status: int
) -> None:
    control.post("/faults", json={"gateway_error_next": 1, "gateway_status": status})
    answer = graph.get("/me/adaccounts")
    assert answer.status_code == status
    assert answer.headers["content-type"].startswith("text/html")
    assert graph.get("/me/adaccounts").status_code == 200


def test_a_stuck_report_keeps_running_at_the_same_percent(
    api: FacebookAdsApi, control: httpx.Client, graph: httpx.Client
) -> None:
    control.post("/faults", json={"stuck_reports_next": 1})
    stuck, fine = start(api, "ad"), start(api, "ad")

    seen = statuses(stuck, 8)
    assert {s for s, _ in seen} == {"Job Running"}
    assert len({p for _, p in seen[1:]}) == 1
    assert seen[-1][1] < 100
    assert graph.get(f"/{stuck['id']}/insights").json()["error"]["code"] == 100
    assert statuses(fine, 3)[-1] == ("Job Completed", 100)


def test_reports_fail_at_the_chosen_level_only(api: FacebookAdsApi, control: httpx.Client) -> None:
    control.post("/faults", json={"fail_reports_next": 1, "fail_reports_level": "adset"})
    account_run, adset_run, next_adset_run = (
        start(api, lvl) for lvl in ("account", "adset", "adset")
    )

    assert statuses(account_run, 3)[-1][0] == "Job Completed"
    assert statuses(adset_run, 3)[-1][0] == "Job Failed"
    assert statuses(next_adset_run, 3)[-1][0] == "Job Completed"  # the counter is spent
    refused = control.post("/faults", json={"fail_reports_level": "creative"})
    assert refused.status_code == 400
    assert "fail_reports_level" in refused.json()["error"]["message"]


def test_tokens_expire_after_the_given_number_of_calls(
    graph: httpx.Client, control: httpx.Client
) -> None:
    control.post("/faults", json={"expire_tokens_after": 3})
    answers = [graph.get("/me") for _ in range(5)]
    assert [a.status_code for a in answers] == [200, 200, 200, 400, 400]
    error = answers[3].json()["error"]
    assert (error["code"], error["error_subcode"]) == (190, 463)


def test_debug_token_tells_a_long_lived_token_nears_its_expiry(
    graph_url: str, control: httpx.Client
) -> None:
    oauth = f"{graph_url}/v26.0/oauth/access_token"
    credentials = {"client_id": APP_ID, "client_secret": APP_SECRET}
    short = httpx.get(oauth, params={**credentials, "code": "sample-code-debug"}).json()
    exchange = {"grant_type": "fb_exchange_token", "fb_exchange_token": short["access_token"]}
    long = httpx.get(oauth, params={**credentials, **exchange}).json()

    def debug() -> dict[str, Any]:
        params = {"input_token": long["access_token"], "access_token": APP_TOKEN}
        answer = httpx.get(f"{graph_url}/v26.0/debug_token", params=params)
        data: dict[str, Any] = answer.json()["data"]
        return data

    fresh = debug()
    control.post("/clock", json={"offset_hours": 59 * 24})
    near = debug()
    control.post("/clock", json={"offset_hours": 61 * 24})
    gone = debug()

    assert long["expires_in"] == 60 * 24 * 3600
    expires_at = int((START + timedelta(days=60)).timestamp())
    assert (fresh["type"], fresh["is_valid"], fresh["expires_at"]) == ("USER", True, expires_at)
    assert fresh["app_id"] == APP_ID
    assert fresh["data_access_expires_at"] == int((START + timedelta(days=90)).timestamp())
    assert "ads_read" in fresh["scopes"]
    assert near["is_valid"] is True
    assert gone["is_valid"] is False
    assert gone["error"]["subcode"] == 463
    assert control.get("/clock").json()["offset_hours"] == 61 * 24


def test_system_user_tokens_never_expire(graph_url: str, control: httpx.Client) -> None:
    token = control.post("/system_user_token", json={"scopes": ["ads_read"]}).json()
    control.post("/clock", json={"offset_hours": 400 * 24})

    params = {"input_token": token["access_token"], "access_token": APP_TOKEN}
    data = httpx.get(f"{graph_url}/v26.0/debug_token", params=params).json()["data"]
    me = httpx.get(f"{graph_url}/v26.0/me", params={"access_token": token["access_token"]})

    assert (data["type"], data["is_valid"], data["expires_at"]) == ("SYSTEM_USER", True, 0)
    assert data["data_access_expires_at"] == 0
    assert data["scopes"] == ["ads_read"]
    assert me.status_code == 200


def test_debug_token_on_a_token_meta_never_issued(graph: httpx.Client) -> None:
    data = graph.get("/debug_token", params={"input_token": "EAAnotatoken"}).json()["data"]
    assert data["is_valid"] is False
    assert data["error"]["code"] == 190
    assert json.dumps(data["scopes"]) == "[]"


def read_report(graph: httpx.Client, report_id: str) -> list[dict[str, Any]]:
    """Every row of a report, retrying what a sync retries and halving the page when asked."""
    rows: list[dict[str, Any]] = []
    params: dict[str, Any] = {"limit": 200}
    for _ in range(100):
        answer = graph.get(f"/{report_id}/insights", params=params)
        if answer.status_code >= 500 or not answer.headers["content-type"].startswith(
            "application/json"
        ):
            continue
        body = answer.json()
        if "error" in body:
            if body["error"].get("error_subcode") == 1487534:
                params["limit"] //= 2
            continue
        rows.extend(body["data"])
        after = body.get("paging", {}).get("next") and body["paging"]["cursors"]["after"]
        if not after:
            return rows
        params["after"] = after
    raise AssertionError("the report was not read to its end")


def test_faults_leave_the_figures_as_a_clean_run_leaves_them(
    api: FacebookAdsApi, control: httpx.Client, graph: httpx.Client
) -> None:
    def run(faults: dict[str, Any]) -> list[dict[str, Any]]:
        report = start(api, "ad")
        statuses(report, 3)
        control.post("/faults", json=faults)
        return read_report(graph, report["id"])

    clean = run({})
    faulted = run(
        {
            "too_much_data_over": 60,
            "server_error_next": 2,
            "server_error_code": 2,
            "gateway_error_next": 1,
            "unknown_error_next": 1,
        }
    )

    assert faulted == clean
    statuses_seen = [c["status"] for c in control.get("/calls").json()["calls"]]
    assert {400, 500, 502} <= set(statuses_seen)
