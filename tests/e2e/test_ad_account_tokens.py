"""Meta tokens end to end on the local stack: System User tokens connected by value (checked
with debug_token, never echoed), the redirect allow-list, the daily token check that warns
7 days before a token expires and again once it has, one alert per token and threshold, and
OAuth bound to the browser and the key that started it, leaking nothing when Meta fails."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from shared.adaccounts.service import accounts_collection
from shared.adaccounts.vaulting import require_live_key
from shared.auth import API_KEYS, Role
from shared.bootstrap import Services
from shared.errors import Unauthenticated
from shared.localstack.identities import SCHEDULER
from shared.localstack.stack import StackInfo
from tests.e2e.conftest import Tenant
from tests.e2e.creator_flow import eventually
from tests.e2e.helpers import to_meta_and_back

pytestmark = pytest.mark.e2e
EU_ACCOUNT, US_ACCOUNT = "100000000000101", "100000000000202"
HOURS_PER_DAY = 24


@pytest.fixture
def graph(local_stack: StackInfo) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=f"{local_stack.graph_api_url}/_control", timeout=10) as client:
        client.post("/reset").raise_for_status()
        client.post("/clock", json={"offset_hours": 0}).raise_for_status()
        yield client
        client.post("/clock", json={"offset_hours": 0}).raise_for_status()
        client.post("/reset").raise_for_status()


def oauth_connect(tenant: Tenant) -> list[dict[str, Any]]:
    start = tenant[Role.ADMIN].post("/ad-accounts/connect", json={})
    assert start.status_code == 201, start.text
    landed = httpx.get(start.json()["authorize_url"], follow_redirects=True, timeout=60)
    assert landed.status_code == 200, landed.text
    connected: list[dict[str, Any]] = landed.json()["connected"]
    return connected


def check_tokens(local_stack: StackInfo) -> dict[str, Any]:
    answer = httpx.post(
        f"{local_stack.functions_base_url}/ad_token_check",
        json={"schedule": "check-ad-tokens"},
        headers=local_stack.invoker_headers(SCHEDULER, "ad_token_check"),
        timeout=60,
    )
    assert answer.status_code == 200, answer.text
    result: dict[str, Any] = answer.json()
    return result


def alerts_of(client: httpx.Client, kind: str) -> list[dict[str, Any]]:
    return [a for a in client.get("/alerts").json()["items"] if a["kind"] == kind]


def test_a_system_user_token_connects_its_accounts_and_is_never_echoed(
    tenant: Tenant, local_stack: StackInfo, graph: httpx.Client
) -> None:
    token = graph.post("/system_user_token", json={}).json()["access_token"]
    admin = tenant[Role.ADMIN]
    assert (
        tenant[Role.MEMBER]
        .post("/ad-accounts/system-user", json={"access_token": token})
        .status_code
        == 403
    )

    connected = admin.post("/ad-accounts/system-user", json={"access_token": token})
    assert connected.status_code == 201, connected.text
    assert token not in connected.text
    accounts = {a["account_id"]: a for a in connected.json()["items"]}
    assert set(accounts) == {EU_ACCOUNT, US_ACCOUNT}
    assert {(a["connection_kind"], a["connection_expires_at"]) for a in accounts.values()} == {
        ("SYSTEM_USER", None)
    }
    listing = tenant[Role.VIEWER].get("/ad-accounts")
    assert token not in listing.text
    # a token that never expires raises nothing
    assert check_tokens(local_stack) == {"tokens_checked": 1, "alerts_raised": 0}


@pytest.mark.parametrize(
    "body",
    [
        {"access_token": "sample-token-a-user-not-a-system-user"},
        {"access_token": "EAAL-not-issued-by-meta"},
        {"access_token": ""},
        {},
    ],
)
def test_anything_but_a_valid_system_user_token_is_a_422_naming_it(
    tenant: Tenant, graph: httpx.Client, body: dict[str, str]
) -> None:
    refused = tenant[Role.ADMIN].post("/ad-accounts/system-user", json=body)
    assert refused.status_code == 422, refused.text
    assert refused.json()["error"]["field"] == "access_token"
    if body.get("access_token"):
        assert body["access_token"] not in refused.text
    assert tenant[Role.VIEWER].get("/ad-accounts").json()["items"] == []


def test_a_redirect_uri_off_the_allow_list_is_refused(
    tenant: Tenant, local_stack: StackInfo, graph: httpx.Client
) -> None:
    admin = tenant[Role.ADMIN]
    refused = admin.post("/ad-accounts/connect", json={"redirect_uri": "https://evil.example/cb"})
    assert refused.status_code == 422
    assert refused.json()["error"]["field"] == "redirect_uri"
    configured = f"{local_stack.functions_base_url}/meta_oauth_callback"
    assert admin.post("/ad-accounts/connect", json={"redirect_uri": configured}).status_code == 201


def test_a_user_token_is_warned_about_a_week_ahead_and_again_once_expired(
    tenant: Tenant, local_stack: StackInfo, graph: httpx.Client
) -> None:
    viewer = tenant[Role.VIEWER]
    # Meta issued the token 54 days ago (its clock): 6 days of its 60 are left.
    graph.post("/clock", json={"offset_hours": -54 * HOURS_PER_DAY}).raise_for_status()
    oauth_connect(tenant)
    first = check_tokens(local_stack)
    assert first == {"tokens_checked": 1, "alerts_raised": 1}
    assert check_tokens(local_stack)["alerts_raised"] == 0
    (warning,) = eventually(lambda: alerts_of(viewer, "token_expiring"), "a token warning")
    assert set(warning["data"]["account_ids"]) == {EU_ACCOUNT, US_ACCOUNT}
    accounts = viewer.get("/ad-accounts").json()["items"]
    assert all(a["status"] == "active" and a["connection_expires_at"] for a in accounts)

    # Connected again with a token Meta issued 61 days ago: it has expired.
    graph.post("/clock", json={"offset_hours": -61 * HOURS_PER_DAY}).raise_for_status()
    oauth_connect(tenant)
    assert check_tokens(local_stack) == {"tokens_checked": 1, "alerts_raised": 1}
    assert check_tokens(local_stack)["alerts_raised"] == 0
    eventually(lambda: alerts_of(viewer, "token_expired"), "a token expiry alert")
    assert len(alerts_of(viewer, "token_expiring")) == 1
    accounts = viewer.get("/ad-accounts").json()["items"]
    assert {a["status"] for a in accounts} == {"needs_reauth"}


def key_id_of(client: httpx.Client) -> str:
    return client.headers["Authorization"].removeprefix("Bearer ").split("_")[1]


def test_the_start_sets_a_browser_bound_cookie_and_sends_the_browser_to_meta(
    tenant: Tenant, local_stack: StackInfo, graph: httpx.Client
) -> None:
    start = tenant[Role.ADMIN].post("/ad-accounts/connect", json={}).json()
    assert start["authorize_url"].startswith(
        f"{local_stack.functions_base_url}/meta_oauth_callback/start?"
    )
    started = httpx.get(start["authorize_url"], timeout=30)
    assert started.status_code == 302
    assert started.headers["Location"].startswith(f"{local_stack.graph_api_url}/")
    cookie = started.headers["Set-Cookie"]
    for attribute in ("HttpOnly", "SameSite=Lax", "Path=/"):
        assert attribute in cookie
    assert "Domain" not in cookie
    forged = httpx.get(
        start["authorize_url"].replace("state=", "state=x"), timeout=30
    )  # not a state we issued: no cookie, no redirect
    assert forged.status_code == 401
    assert "Set-Cookie" not in forged.headers


def test_a_code_and_state_opened_in_another_browser_connect_nothing(
    tenant: Tenant, graph: httpx.Client
) -> None:
    start = tenant[Role.ADMIN].post("/ad-accounts/connect", json={}).json()
    with httpx.Client(timeout=60) as browser:
        callback = to_meta_and_back(browser, start["authorize_url"])
        elsewhere = httpx.get(callback, timeout=60)  # a victim's browser, lured to the URL
        assert elsewhere.status_code == 401, elsewhere.text
        assert elsewhere.json()["error"]["field"] == "cookie"
        assert tenant[Role.VIEWER].get("/ad-accounts").json()["items"] == []
        landed = browser.get(callback)
        assert landed.status_code == 200, landed.text
        assert {a["account_id"] for a in landed.json()["connected"]} == {EU_ACCOUNT, US_ACCOUNT}
        assert browser.get(callback).status_code == 409  # a state works once


def test_a_key_revoked_before_meta_answers_connects_nothing(
    tenant: Tenant, graph: httpx.Client
) -> None:
    admin = tenant[Role.ADMIN]
    start = admin.post("/ad-accounts/connect", json={}).json()
    with httpx.Client(timeout=60) as browser:
        callback = to_meta_and_back(browser, start["authorize_url"])
        revoked = tenant[Role.OWNER].delete(f"/api-keys/{key_id_of(admin)}")
        assert revoked.status_code == 204, revoked.text
        landed = browser.get(callback)
        assert landed.status_code == 401, landed.text
        assert landed.json()["error"]["field"] == "query.state"
        assert tenant[Role.VIEWER].get("/ad-accounts").json()["items"] == []


def test_an_organization_deleted_before_meta_answers_connects_nothing(
    tenant: Tenant, graph: httpx.Client, app_services: Services
) -> None:
    """The callback refuses a deleted organization (410, before the key is looked at); and a
    tombstoned organization refuses the connection even with a key still live."""
    start = tenant[Role.ADMIN].post("/ad-accounts/connect", json={}).json()
    with httpx.Client(timeout=60) as browser:
        callback = to_meta_and_back(browser, start["authorize_url"])
        assert tenant[Role.OWNER].delete("/organization").status_code == 202
        landed = browser.get(callback)
        assert landed.status_code == 410, landed.text
        assert landed.json()["error"]["code"] == "org_deleted"
    assert app_services.store.query(accounts_collection(tenant.org_id)) == []
    store, key_id = app_services.store, key_id_of(tenant[Role.ADMIN])
    store.set(
        f"{API_KEYS}/{key_id}", {**(store.get(f"{API_KEYS}/{key_id}") or {}), "revoked": False}
    )
    with pytest.raises(Unauthenticated, match="no longer exists"):
        require_live_key(store, tenant.org_id, key_id)


def test_an_html_5xx_from_meta_leaks_neither_app_secret_nor_code(
    tenant: Tenant, local_stack: StackInfo, graph: httpx.Client
) -> None:
    start = tenant[Role.ADMIN].post("/ad-accounts/connect", json={}).json()
    with httpx.Client(timeout=60) as browser:
        callback = to_meta_and_back(browser, start["authorize_url"])
        code = parse_qs(urlsplit(callback).query)["code"][0]
        graph.post(
            "/faults", json={"gateway_error_next": 1, "gateway_echoes_request": True}
        ).raise_for_status()
        landed = browser.get(callback)
    assert landed.status_code == 502, landed.text
    assert landed.json()["error"]["code"] == "meta_refused"
    assert code not in landed.text
    assert local_stack.local_secret not in landed.text
    # Our functions' log lines (the local host's; its request log, like Cloud Run's, records
    # the redirect's URL as Meta sent it, which no code of ours can change).
    log = (Path(local_stack.state_dir) / "logs" / "functions.log").read_text(errors="replace")
    ours = [line for line in log.splitlines() if "/meta_oauth_callback?" not in line]
    assert local_stack.local_secret not in log
    assert [line for line in ours if code in line] == []
