"""The real facebook-business SDK, through MetaAds, against the local Graph API stand-in over
HTTP: OAuth, ad accounts and their tree, async insights reports paged through, usage headers on
every answer, and Meta's throttling, token, server and report failures mapped to the port's
errors."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest
from facebook_business.adobjects.adaccount import AdAccount
from facebook_business.api import FacebookAdsApi
from facebook_business.session import FacebookSession
from werkzeug.wrappers import Response

from shared.adapters.meta_ads import MetaAds
from shared.adapters.meta_objects import GRAPH_API_VERSION
from shared.errors import NotFound
from shared.localstack.graph import LocalGraphApi
from shared.ports import (
    AdsAuthError,
    AdsRequestFailed,
    AdsThrottled,
    AdsUnavailable,
    AdsUsage,
)
from tests.integration.graph_standin_fixtures import Clock, serving

pytestmark = pytest.mark.integration

START = datetime(2026, 3, 16, 10, 0, tzinfo=UTC)  # a Monday; same date in Berlin and New York
TODAY = START.date()
APP_ID = "100000000000042"
APP_SECRET = "wire-tests-app-secret"
TOKEN = "sample-token-wire-tests"
REDIRECT_URI = "https://app.reachops.example/oauth/meta/callback"
EU, US = "act_100000000000101", "act_100000000000202"
AGENCY = {"id": "2100000000000001", "name": "Northwind Media Agency (sample)"}
EU_CAMPAIGNS = [  # the last two: archived (late conversions only in the window), leads
    "120210000000001100",
    "120210000000001200",
    "120210000000001300",
    "120210000000001400",
    "120210000000001500",
]
WINDOWS = ["7d_click", "1d_view"]
WINDOW = {"since": TODAY - timedelta(days=28), "until": TODAY}
RETRIES = 2
ROW_FIELDS = {
    "account_id", "account_name", "account_currency", "campaign_id", "campaign_name",
    "adset_id", "adset_name", "ad_id", "ad_name", "date_start", "date_stop", "spend",
    "impressions", "reach", "frequency", "clicks", "inline_link_clicks", "actions",
    "action_values",
}  # fmt: skip
VIDEO_FIELDS = {f"video_p{p}_watched_actions" for p in (25, 50, 75, 100)}


@pytest.fixture(scope="module")
def clock() -> Clock:
    return Clock()


@pytest.fixture(scope="module")
def graph_url(clock: Clock) -> Iterator[str]:
    app = LocalGraphApi(app_id=APP_ID, app_secret=APP_SECRET, clock=clock, polls_to_complete=3)
    with serving(app) as url:
        yield url


@pytest.fixture
def control(graph_url: str, clock: Clock) -> Iterator[httpx.Client]:
    """The stand-in's control endpoints, from a clean state."""
    clock.now = START
    with httpx.Client(base_url=graph_url + "/_control", timeout=5) as http:
        http.post("/reset").raise_for_status()
        yield http


def meta_ads(graph_url: str, clock: Clock, *, page_size: int = 50) -> MetaAds:
    return MetaAds(
        APP_ID,
        APP_SECRET,
        api_version=GRAPH_API_VERSION,
        graph_url=graph_url,
        max_retries=RETRIES,
        backoff_seconds=0,
        page_size=page_size,
        clock=clock,
    )


@pytest.fixture
def ads(graph_url: str, clock: Clock, control: httpx.Client) -> MetaAds:
    return meta_ads(graph_url, clock)


def calls(control: httpx.Client, path_end: str = "", method: str | None = None) -> list[Any]:
    return [
        c
        for c in control.get("/calls").json()["calls"]
        if c["path"].endswith(path_end) and method in (None, c["method"])
    ]


def completed_report(ads: MetaAds, object_id: str, level: str, since: date, until: date) -> str:
    report_id = ads.start_report(
        TOKEN, object_id, level=level, since=since, until=until, attribution_windows=WINDOWS
    )
    for _ in range(10):
        status = ads.report_status(TOKEN, report_id).status
        if status == "Job Completed":
            return report_id
    raise AssertionError(f"report {report_id} did not complete: {status}")


def report(
    ads: MetaAds, object_id: str, level: str, days: int, today: date = TODAY
) -> list[dict[str, Any]]:
    """The daily rows of the `days` before `today`."""
    since, until = today - timedelta(days=days), today - timedelta(days=1)
    return list(ads.report_rows(TOKEN, completed_report(ads, object_id, level, since, until)))


def action(row: dict[str, Any], field: str, action_type: str) -> dict[str, str]:
    found = [a for a in row.get(field, []) if a["action_type"] == action_type]
    return found[0] if found else {}


def test_code_exchange_yields_a_long_lived_token_that_reads_accounts(
    ads: MetaAds, control: httpx.Client
) -> None:
    code = control.post("/codes", json={"redirect_uri": REDIRECT_URI}).json()["code"]

    issued = ads.exchange_code(code, REDIRECT_URI)

    assert issued.expires_at == START + timedelta(days=60)
    assert len(ads.ad_accounts(issued.access_token)) == 2
    short, long = (c["params"] for c in calls(control, "/oauth/access_token"))
    assert short["code"] == code
    assert short["redirect_uri"] == REDIRECT_URI
    assert short["client_id"] == APP_ID
    assert short["client_secret"] == APP_SECRET
    assert long["grant_type"] == "fb_exchange_token"
    assert long["fb_exchange_token"] not in (issued.access_token, "")


def test_login_dialog_redirects_back_with_a_code_or_the_refusal(
    ads: MetaAds, graph_url: str, control: httpx.Client
) -> None:
    dialog = f"{graph_url}/{GRAPH_API_VERSION}/dialog/oauth"
    query = {"client_id": APP_ID, "redirect_uri": REDIRECT_URI, "state": "s1", "scope": "ads_read"}

    approved = httpx.get(dialog, params=query)
    control.post("/faults", json={"deny_dialog_next": 1})
    denied = httpx.get(dialog, params={**query, "state": "s2"})

    assert approved.status_code == denied.status_code == 302
    back = httpx.URL(approved.headers["Location"])
    assert str(back.copy_with(query=None, fragment=None)) == REDIRECT_URI
    assert back.params["state"] == "s1"
    assert ads.exchange_code(back.params["code"], REDIRECT_URI).access_token
    refusal = httpx.URL(denied.headers["Location"]).params
    assert (refusal["error"], refusal["error_reason"], refusal["state"]) == (
        "access_denied",
        "user_denied",
        "s2",
    )
    assert "code" not in refusal
    assert httpx.get(dialog, params={**query, "client_id": "another-app"}).status_code == 400


def test_wrong_app_credentials_are_refused(graph_url: str, clock: Clock) -> None:
    wrong_secret = MetaAds(APP_ID, "not-the-secret", graph_url=graph_url, clock=clock)
    with pytest.raises(AdsAuthError, match="client secret"):
        wrong_secret.exchange_code("sample-code-1", REDIRECT_URI)
    with pytest.raises(AdsRequestFailed, match="appsecret_proof"):  # no port error fits
        wrong_secret.ad_accounts(TOKEN)


def test_codes_are_single_use_and_bound_to_their_redirect_uri(
    ads: MetaAds, control: httpx.Client
) -> None:
    code = control.post("/codes", json={"redirect_uri": REDIRECT_URI}).json()["code"]
    with pytest.raises(AdsAuthError, match="redirect_uri"):
        ads.exchange_code(code, "https://elsewhere.example/callback")
    code = control.post("/codes", json={"redirect_uri": REDIRECT_URI}).json()["code"]
    ads.exchange_code(code, REDIRECT_URI)
    with pytest.raises(AdsAuthError, match="36009"):
        ads.exchange_code(code, REDIRECT_URI)
    assert ads.exchange_code("sample-code-demo", REDIRECT_URI).access_token


def test_issued_tokens_expire_by_the_server_clock(
    ads: MetaAds, control: httpx.Client, clock: Clock
) -> None:
    issued = ads.exchange_code("sample-code-expiry", REDIRECT_URI)
    clock.now = START + timedelta(days=61)
    with pytest.raises(AdsAuthError, match="190/463"):
        ads.ad_accounts(issued.access_token)


def test_ad_accounts_are_two_currencies_under_one_agency(ads: MetaAds) -> None:
    accounts = ads.ad_accounts(TOKEN)

    assert accounts == [
        {
            "id": EU,
            "name": "Acme Outdoor EU (sample)",
            "currency": "EUR",
            "timezone_name": "Europe/Berlin",
            "business": AGENCY,
        },
        {
            "id": US,
            "name": "Acme Outdoor US (sample)",
            "currency": "USD",
            "timezone_name": "America/New_York",
            "business": AGENCY,
        },
    ]


def test_children_are_read_from_insights_of_every_status_across_pages(
    graph_url: str, clock: Clock, control: httpx.Client
) -> None:
    ads = meta_ads(graph_url, clock, page_size=2)  # five campaigns take three pages

    assert ads.children(TOKEN, EU, "campaign", **WINDOW) == EU_CAMPAIGNS
    assert ads.children(TOKEN, EU_CAMPAIGNS[0], "adset", **WINDOW) == [
        "120210000000001110",
        "120210000000001120",
    ]
    assert len(ads.children(TOKEN, US, "campaign", **WINDOW)) == 5  # one of them deleted
    pages = calls(control, f"/{EU}/insights")
    assert len(pages) == 3
    assert "after" in pages[1]["params"]
    assert json.loads(pages[0]["params"]["fields"]) == ["campaign_id"]
    (status_filter,) = json.loads(pages[0]["params"]["filtering"])
    assert status_filter["field"] == "campaign.effective_status"
    assert {"ARCHIVED", "DELETED"} <= set(status_filter["value"])


def test_unknown_object_is_not_found(ads: MetaAds) -> None:
    with pytest.raises(NotFound):
        ads.children(TOKEN, "act_999999999", "campaign", **WINDOW)


def test_async_report_runs_to_completion_and_pages_every_row(
    ads: MetaAds, control: httpx.Client
) -> None:
    since, until = TODAY - timedelta(days=14), TODAY - timedelta(days=1)
    report_id = ads.start_report(
        TOKEN, EU, level="ad", since=since, until=until, attribution_windows=WINDOWS
    )
    progress = [ads.report_status(TOKEN, report_id) for _ in range(4)]
    rows = list(ads.report_rows(TOKEN, report_id))

    assert [(p.status, p.percent) for p in progress] == [
        ("Job Started", 33),
        ("Job Running", 66),
        ("Job Completed", 100),
        ("Job Completed", 100),
    ]
    (start,) = calls(control, f"/{EU}/insights", "POST")
    asked = start["params"]
    assert asked["level"] == "ad"
    assert asked["time_increment"] == "1"
    assert asked["time_range"] == '{"since":"2026-03-02","until":"2026-03-15"}'
    assert asked["action_attribution_windows"] == '["7d_click","1d_view"]'
    assert asked["use_unified_attribution_setting"] == "true"  # `value` as Ads Manager shows it
    assert set(json.loads(asked["fields"])) >= ROW_FIELDS | VIDEO_FIELDS
    # 13 ads ran every day of the 14; one was paused 9 days ago (6 days), one deleted 12 days
    # ago (3 days); after it, and after the archived campaign stopped 30 days ago, rows with no
    # spend carry late conversions. 50 rows a page.
    delivered = [r for r in rows if Decimal(r["spend"]) > 0]
    assert len(delivered) == 13 * 14 + 6 + 3
    late = {r["ad_id"] for r in rows if Decimal(r["spend"]) == 0}
    assert late <= {"120210000000001123", "120210000000001411", "120210000000001412"}
    assert "120210000000001123" in late
    assert len(calls(control, f"/{report_id}/insights")) == 4
    assert {r["date_start"] for r in rows} == {str(since + timedelta(days=n)) for n in range(14)}
    assert len({(r["ad_id"], r["date_start"]) for r in rows}) == len(rows)
    for row in delivered:
        assert set(row) >= ROW_FIELDS - {"action_values"}  # Meta omits empty action lists
        assert row["date_start"] == row["date_stop"]
        assert row["account_currency"] == "EUR"
        assert Decimal(row["spend"]) > 0
        assert int(row["reach"]) <= int(row["impressions"])
        assert {a["action_type"] for a in row["actions"]} >= {"link_click", "post_engagement"}
        for entry in [*row["actions"], *row.get("action_values", [])]:
            assert set(entry) <= {"action_type", "value", *WINDOWS}
    purchases = [action(r, "actions", "purchase") for r in rows]
    assert any("1d_view" in p for p in purchases)
    assert any(action(r, "action_values", "purchase") for r in rows)
    video = [r for r in rows if r["ad_id"] == "120210000000001112"]
    assert all(set(r) >= VIDEO_FIELDS for r in video)
    p25, p100 = (int(video[0][f"video_p{p}_watched_actions"][0]["value"]) for p in (25, 100))
    assert p25 > p100 > 0


def test_campaign_rows_are_the_sums_of_their_ads(ads: MetaAds) -> None:
    by_ad = report(ads, US, "ad", days=5)
    by_campaign = report(ads, US, "campaign", days=5)

    sums: dict[tuple[str, str], dict[str, Any]] = defaultdict(
        lambda: {"spend": Decimal(0), "impressions": 0, "clicks": 0, "purchases": 0, "reach": 0}
    )
    for row in by_ad:
        total = sums[(row["campaign_id"], row["date_start"])]
        total["spend"] += Decimal(row["spend"])
        total["impressions"] += int(row["impressions"])
        total["clicks"] += int(row["clicks"])
        total["purchases"] += int(action(row, "actions", "purchase").get("7d_click", 0))
        total["reach"] += int(row["reach"])
    assert len(by_campaign) == len(sums) == 4 * 5  # the deleted campaign: nothing this late
    for row in by_campaign:
        total = sums[(row["campaign_id"], row["date_start"])]
        assert "ad_id" not in row
        assert "adset_id" not in row
        assert row["account_currency"] == "USD"
        assert Decimal(row["spend"]) == total["spend"]
        assert int(row["impressions"]) == total["impressions"]
        assert int(row["clicks"]) == total["clicks"]
        assert int(action(row, "actions", "purchase").get("7d_click", 0)) == total["purchases"]
        assert int(row["reach"]) < total["reach"]  # people reached by two ads count once


def test_synchronous_insights_answer_the_report_rows(ads: MetaAds, graph_url: str) -> None:
    session = FacebookSession(APP_ID, APP_SECRET, TOKEN)
    session.GRAPH = graph_url
    api = FacebookAdsApi(session, api_version=GRAPH_API_VERSION)
    params = {
        "level": "campaign",
        "time_range": {"since": str(TODAY - timedelta(days=3)), "until": str(TODAY)},
        "time_increment": "1",
        "action_attribution_windows": WINDOWS,
        "use_unified_attribution_setting": True,
    }
    fields = sorted(ROW_FIELDS - {"adset_id", "adset_name", "ad_id", "ad_name"})

    rows = [r.export_all_data() for r in AdAccount(EU, api=api).get_insights(fields, params)]

    expected = report(ads, EU, "campaign", days=3)  # today has no data yet
    assert rows == [{k: v for k, v in r.items() if k in fields} for r in expected]


def test_usage_headers_are_read_on_success_and_on_failure(
    ads: MetaAds, control: httpx.Client
) -> None:
    assert ads.last_usage() == AdsUsage(percent_used=0.0, regain_access_seconds=0.0)
    control.post("/faults", json={"usage_pct": 42.5})
    ads.ad_accounts(TOKEN)
    assert ads.last_usage() == AdsUsage(percent_used=42.5, regain_access_seconds=0.0)

    control.post("/faults", json={"throttle_next": 1, "regain_minutes": 3})
    with pytest.raises(AdsThrottled):
        ads.children(TOKEN, EU, "campaign", **WINDOW)
    assert ads.last_usage() == AdsUsage(percent_used=100.0, regain_access_seconds=180.0)

    ads.children(TOKEN, EU, "campaign", **WINDOW)
    assert ads.last_usage() == AdsUsage(percent_used=42.5, regain_access_seconds=0.0)


@pytest.mark.parametrize("code", [4, 17, 613, 80000, 80004])
def test_each_throttle_code_waits_as_long_as_meta_announces(
    ads: MetaAds, control: httpx.Client, code: int
) -> None:
    control.post("/faults", json={"throttle_next": 1, "throttle_code": code, "regain_minutes": 2})
    with pytest.raises(AdsThrottled, match=f"Graph error {code}/") as caught:
        ads.start_report(
            TOKEN, EU, level="ad", since=TODAY, until=TODAY, attribution_windows=WINDOWS
        )
    assert caught.value.wait_seconds == 120
    assert len(calls(control, "/insights")) == 1  # a throttle is not retried


def test_throttle_without_an_announced_wait_waits_a_minute(
    ads: MetaAds, control: httpx.Client
) -> None:
    control.post("/faults", json={"throttle_next": 1, "regain_minutes": 0})
    with pytest.raises(AdsThrottled) as caught:
        ads.ad_accounts(TOKEN)
    assert caught.value.wait_seconds == 60


def test_expired_tokens_are_auth_errors(ads: MetaAds, control: httpx.Client) -> None:
    report_id = completed_report(ads, EU, "campaign", TODAY - timedelta(days=2), TODAY)
    control.post("/faults", json={"expire_tokens": True})

    with pytest.raises(AdsAuthError, match="190/463"):
        ads.ad_accounts(TOKEN)
    with pytest.raises(AdsAuthError):
        list(ads.report_rows(TOKEN, report_id))
    with pytest.raises(AdsAuthError):
        ads.exchange_code("sample-code-after-expiry", REDIRECT_URI)  # the exchange step fails
    with pytest.raises(AdsAuthError, match="190"):
        ads.ad_accounts("not-a-token-meta-issued")


@pytest.mark.parametrize("code", [1, 2])
def test_server_errors_on_reads_are_retried_then_unavailable(
    ads: MetaAds, control: httpx.Client, code: int
) -> None:
    control.post("/faults", json={"server_error_next": RETRIES, "server_error_code": code})
    assert len(ads.ad_accounts(TOKEN)) == 2
    assert [c["status"] for c in calls(control, "/me/adaccounts")] == [500] * RETRIES + [200]

    control.post("/faults", json={"server_error_next": RETRIES + 1, "server_error_code": code})
    with pytest.raises(AdsUnavailable, match=f"Graph error {code}/"):
        ads.children(TOKEN, EU, "campaign", **WINDOW)


def test_server_error_starting_a_report_is_not_retried(ads: MetaAds, control: httpx.Client) -> None:
    control.post("/faults", json={"server_error_next": 1})
    with pytest.raises(AdsUnavailable):
        ads.start_report(
            TOKEN, EU, level="ad", since=TODAY, until=TODAY, attribution_windows=WINDOWS
        )
    assert len(calls(control, "/insights", "POST")) == 1


def test_unreachable_graph_is_unavailable(clock: Clock) -> None:
    with serving(LocalGraphApi()) as url:
        pass  # the port is free again once the server is down
    ads = meta_ads(url, clock)
    with pytest.raises(AdsUnavailable):
        ads.ad_accounts(TOKEN)


def test_a_gateway_error_page_is_unavailable_not_an_empty_success(clock: Clock) -> None:
    def gateway(environ: Any, start_response: Any) -> Any:
        page = Response("<html><h1>502 Bad Gateway</h1></html>", status=502, mimetype="text/html")
        return page(environ, start_response)

    with serving(gateway) as url:
        ads = meta_ads(url, clock)
        with pytest.raises(AdsUnavailable, match="502"):
            ads.ad_accounts(TOKEN)
        with pytest.raises(AdsUnavailable, match="502"):
            ads.start_report(
                TOKEN, EU, level="ad", since=TODAY, until=TODAY, attribution_windows=WINDOWS
            )


def test_failed_report_says_job_failed_and_has_no_rows(ads: MetaAds, control: httpx.Client) -> None:
    control.post("/faults", json={"fail_reports_next": 1})
    report_id = ads.start_report(
        TOKEN, EU, level="ad", since=TODAY - timedelta(days=7), until=TODAY, attribution_windows=[]
    )
    statuses = [ads.report_status(TOKEN, report_id).status for _ in range(4)]

    assert statuses == ["Job Started", "Job Running", "Job Failed", "Job Failed"]
    with pytest.raises(AdsUnavailable, match="2490547"):
        list(ads.report_rows(TOKEN, report_id))


def test_restatement_changes_the_last_three_days_only(ads: MetaAds, control: httpx.Client) -> None:
    before = {(r["adset_id"], r["date_start"]): r for r in report(ads, EU, "adset", days=10)}
    assert before == {(r["adset_id"], r["date_start"]): r for r in report(ads, EU, "adset", 10)}
    assert control.post("/restate").json() == {"restatement": 1}
    after = {(r["adset_id"], r["date_start"]): r for r in report(ads, EU, "adset", days=10)}

    assert before.keys() == after.keys()
    restated = {str(TODAY - timedelta(days=n)) for n in (1, 2, 3)}
    changed = {key[1] for key, row in after.items() if row != before[key]}
    assert changed == restated
    for day in restated:
        spend = [(before[k]["spend"], after[k]["spend"]) for k in before if k[1] == day]
        assert any(old != new for old, new in spend)


def test_rows_cover_sixty_days_and_grow_with_the_server_clock(ads: MetaAds, clock: Clock) -> None:
    rows = report(ads, US, "account", days=90)
    assert [r["date_start"] for r in rows] == [
        str(TODAY - timedelta(days=n)) for n in range(60, 0, -1)
    ]

    clock.now = START + timedelta(days=1)
    later = report(ads, US, "account", days=91, today=TODAY + timedelta(days=1))

    assert [r["date_start"] for r in later] == [*(r["date_start"] for r in rows), str(TODAY)]
    assert later[:-4] == rows[:-3]  # only the last 3 days before today may be restated
