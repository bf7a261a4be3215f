"""Hostile input, class by class, on the real endpoints behind the local gateway: each gets a
4xx JSON error naming the field, and nothing is written. The classes are the ones an OpenAPI
fuzzer and a hand-written suite found server errors for (issue 9)."""

from __future__ import annotations

import csv
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from shared.auth import Role
from shared.localstack.stack import StackInfo
from shared.model_base import INT64_MAX, MAX_MONEY
from shared.paid.csv_import import expected_header
from tests.e2e.conftest import Tenant
from tests.e2e.helpers import create_brand, create_campaign, ready_campaign

pytestmark = pytest.mark.e2e


def _error(response: httpx.Response, status: int | None = None) -> dict[str, Any]:
    assert 400 <= response.status_code < 500, response.text
    if status is not None:
        assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    error: dict[str, Any] = response.json()["error"]
    assert set(error) >= {"code", "message", "field"}
    return error


def _campaigns(client: httpx.Client) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = client.get("/campaigns", params={"limit": "100"}).json()["items"]
    return items


def _post_raw(client: httpx.Client, path: str, text: str) -> httpx.Response:
    return client.post(path, content=text.encode(), headers={"Content-Type": "application/json"})


@pytest.mark.parametrize("campaign_id", ["ä", "日本", "a\x00b", "line\nbreak", "tab\t", "\x7f"])
def test_path_parameters_with_non_ascii_or_control_characters_are_a_json_404(
    tenant: Tenant, campaign_id: str
) -> None:
    path = f"/campaigns/{quote(campaign_id, safe='')}"
    assert _error(tenant[Role.VIEWER].get(path), 404)["field"] == "path.campaign_id"
    response = tenant[Role.MEMBER].patch(path, json={"name": "x"})
    assert _error(response, 404)["field"] == "path.campaign_id"


@pytest.mark.parametrize("authorization", ["Bearer ä".encode("latin-1"), b"Bearer ro_\xe4_\x01"])
def test_a_non_ascii_api_key_is_a_401_on_the_header(
    anonymous: httpx.Client, authorization: bytes
) -> None:
    request = anonymous.build_request("GET", "/campaigns")
    request.headers["Authorization"] = authorization.decode("latin-1")
    response = anonymous.send(request)
    assert _error(response, 401)["field"] == "header.Authorization"


@pytest.mark.parametrize("depth", [40, 5000, 20_000])
def test_json_nested_past_the_limit_is_a_400_and_nothing_is_written(
    tenant: Tenant, depth: int
) -> None:
    member = tenant[Role.MEMBER]
    body = '{"brand_id": "b", "description": ' + "[" * depth + "]" * depth + "}"
    error = _error(_post_raw(member, "/campaigns", body), 400)
    assert error["code"] == "invalid_json"
    assert error["field"] == "body" or error["field"].startswith("description")
    assert _campaigns(member) == []


@pytest.mark.parametrize(
    "budget", [str(MAX_MONEY + 1), str(INT64_MAX + 1), str(-(INT64_MAX + 2)), "1" + "0" * 5000]
)
def test_integers_past_what_the_stores_hold_are_named_and_nothing_is_written(
    tenant: Tenant, budget: str
) -> None:
    member = tenant[Role.MEMBER]
    body = ready_campaign(create_brand(tenant[Role.ADMIN]), budget=0)
    text = httpx.Request("POST", "/", json=body).content.decode()
    text = text.replace('"budget":0', f'"budget":{budget}').replace(
        '"budget": 0', f'"budget": {budget}'
    )
    assert _error(_post_raw(member, "/campaigns", text), 422)["field"] == "budget"
    assert _campaigns(member) == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"apify_daily_cap_usd_micros": INT64_MAX + 1}, "apify_daily_cap_usd_micros"),
        ({"apify_daily_cap_usd_micros": MAX_MONEY + 1}, "apify_daily_cap_usd_micros"),
        (
            {
                "emv_rates": {
                    "default": {
                        "currency": "EUR",
                        "cpm_views_minor": 10**19,
                        "value_per_engagement_minor": 1,
                    }
                }
            },
            "emv_rates.default.cpm_views_minor",
        ),
    ],
)
def test_caps_and_rates_past_their_bounds_are_named_and_settings_stay(
    tenant: Tenant, body: dict[str, Any], field: str
) -> None:
    admin = tenant[Role.ADMIN]
    before = admin.get("/settings").json()
    assert _error(admin.put("/settings", json=body))["field"] == field
    assert admin.get("/settings").json() == before


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity", "1e400"])
def test_nan_and_infinity_are_named_and_nothing_is_written(tenant: Tenant, constant: str) -> None:
    member = tenant[Role.MEMBER]
    brand_id = create_brand(tenant[Role.ADMIN])
    text = (
        f'{{"brand_id": "{brand_id}", "name": "x", "budget": 100, "currency": "EUR",'
        f' "goals": ["reach"], "tracking_config": {{"min_match_confidence": {constant}}}}}'
    )
    error = _error(_post_raw(member, "/campaigns", text), 422)
    assert error["field"] == "tracking_config.min_match_confidence"
    assert _campaigns(member) == []


def test_nan_in_a_query_number_is_named(tenant: Tenant) -> None:
    response = tenant[Role.VIEWER].get("/creators", params={"min_engagement_rate": "nan"})
    assert _error(response, 422)["field"] == "query.min_engagement_rate"


def _first_page_cursor(client: httpx.Client, **params: str) -> str:
    page = client.get("/campaigns", params={"limit": "1", **params}).json()
    cursor: str = page["next_cursor"]
    assert cursor
    return cursor


def test_forged_truncated_and_foreign_cursors_are_a_400(
    tenant: Tenant, other_tenant: Tenant
) -> None:
    member = tenant[Role.MEMBER]
    brand_id = create_brand(tenant[Role.ADMIN])
    for _ in range(2):
        create_campaign(member, brand_id)
    other = other_tenant[Role.MEMBER]
    other_brand = create_brand(other_tenant[Role.ADMIN])
    for _ in range(2):
        create_campaign(other, other_brand)
    cursor = _first_page_cursor(member)
    assert member.get("/campaigns", params={"cursor": cursor}).status_code == 200
    forged = [
        cursor[:-4],
        cursor[:10],
        cursor + "x",
        "W3sidiI6ICJ4In1d",  # the old unsigned format: [{"v": "x"}]
        "W3sidiI6IFt7InYiOiBbeyJ2IjogIm5lc3RlZCJ9XX1dfV0=",  # nested values, unsigned
        "ä",
        _first_page_cursor(other),  # another organization's
        _first_page_cursor(member, status="draft"),  # another query's
    ]
    for bad in forged:
        error = _error(member.get("/campaigns", params={"cursor": bad}), 400)
        assert error["field"] == "query.cursor", bad
    assert _error(member.get("/creators", params={"cursor": cursor}), 400)["field"] == (
        "query.cursor"
    )


@pytest.mark.parametrize("sig", ["ä" * 64, "\u00e9", "sig\x01"])
def test_a_non_ascii_webhook_signature_is_a_401_on_the_signature(
    local_stack: StackInfo, sig: str
) -> None:
    response = httpx.post(
        f"{local_stack.functions_base_url}/apify_webhook",
        params={"org": "o1", "job": "j1", "claim": "c1", "sig": sig},
        json={"eventType": "ACTOR.RUN.SUCCEEDED"},
        timeout=30,
    )
    assert _error(response, 401)["field"] == "query.sig"


@pytest.mark.parametrize("state", ["ä.ö", "eyJ9.\u00e9\u00e9", "x" * 10 + ".\x01"])
def test_a_non_ascii_oauth_state_is_a_4xx_on_the_state(local_stack: StackInfo, state: str) -> None:
    response = httpx.get(
        f"{local_stack.functions_base_url}/meta_oauth_callback",
        params={"code": "abc", "state": state},
        headers={"Cookie": "reachops_oauth=%C3%A4"},
        timeout=30,
    )
    assert _error(response)["field"] == "query.state"


def test_a_csv_cell_past_the_field_limit_is_a_400_and_nothing_is_loaded(tenant: Tenant) -> None:
    member = tenant[Role.MEMBER]
    header = ",".join(expected_header())
    row = ["meta", "act_1", "campaign", "c1", "x" * (csv.field_size_limit() + 1)]
    text = header + "\n" + ",".join(row) + "\n"
    response = member.post(
        "/ad-insights/csv", content=text.encode(), headers={"Content-Type": "text/csv"}
    )
    error = _error(response, 400)
    assert error["field"] == "body"
    assert "line 2" in error["message"]


@pytest.mark.parametrize("field", ["name", "profiles", "niches", "status"])
def test_a_patch_that_nulls_a_required_creator_field_is_named_and_changes_nothing(
    tenant: Tenant, field: str
) -> None:
    member = tenant[Role.MEMBER]
    created = member.post(
        "/creators",
        json={"name": "Ana", "profiles": [{"platform": "instagram", "username": "ana"}]},
    )
    assert created.status_code == 201, created.text
    path = f"/creators/{created.json()['creator_id']}"
    before = member.get(path).json()
    assert _error(member.patch(path, json={field: None}), 422)["field"] == field
    assert member.get(path).json() == before


@pytest.mark.parametrize("field", ["budget", "name", "currency", "goals", "platforms"])
def test_a_patch_that_nulls_a_required_campaign_field_is_named_and_changes_nothing(
    tenant: Tenant, field: str
) -> None:
    member = tenant[Role.MEMBER]
    campaign = create_campaign(member, create_brand(tenant[Role.ADMIN]))
    path = f"/campaigns/{campaign['campaign_id']}"
    assert _error(member.patch(path, json={field: None}), 422)["field"] == field
    assert member.get(path).json() == campaign
