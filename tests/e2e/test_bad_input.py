"""Bad input gets a clear 4xx JSON error naming the problem, and nothing is written."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from shared.auth import Role
from tests.e2e.conftest import Tenant
from tests.e2e.helpers import create_brand, create_campaign, ready_campaign

pytestmark = pytest.mark.e2e


def _campaign_count(client: httpx.Client) -> int:
    return len(client.get("/campaigns", params={"limit": "100"}).json()["items"])


def _error(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    error: dict[str, Any] = response.json()["error"]
    assert set(error) >= {"code", "message", "field"}
    return error


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"budget": 0}, "budget"),
        ({"budget": -500}, "budget"),
        ({"budget": 10.5}, "budget"),
        ({"budget": "1000"}, "budget"),
        ({"currency": "XYZ"}, "currency"),
        ({"currency": None}, "currency"),
        ({"platforms": ["myspace"]}, "platforms.0"),
        ({"platforms": ["tiktok", "tiktok"]}, "platforms"),
        ({"goals": []}, "goals"),
        ({"audience_size": "huge"}, "audience_size"),
        ({"target_location": "Atlantis"}, "target_location"),
        ({"start_date": "2026-12-10", "end_date": "2026-12-01"}, "end_date"),
        ({"start_date": "10/12/2026"}, "start_date"),
        ({"name": ""}, "name"),
        ({"name": 42}, "name"),
        ({"status": "active"}, "status"),
        ({"surprise": True}, "surprise"),
        (
            {"tracking_config": {"min_match_confidence": 1.5}},
            "tracking_config.min_match_confidence",
        ),
        (
            {"tracking_config": {"tracking_link_pattern": "(["}},
            "tracking_config.tracking_link_pattern",
        ),
        (
            {"tracking_config": {"required_hashtags": ["two words"]}},
            "tracking_config.required_hashtags.0",
        ),
        ({"target_audience": {"age_min": 40, "age_max": 20}}, "target_audience.age_max"),
    ],
)
def test_invalid_campaign_fields_are_named_and_nothing_is_written(
    tenant: Tenant, change: dict[str, Any], field: str
) -> None:
    member = tenant[Role.MEMBER]
    body = ready_campaign(create_brand(tenant[Role.ADMIN]), **change)

    error = _error(member.post("/campaigns", json=body), 422)

    assert error["field"] == field
    assert _campaign_count(member) == 0


@pytest.mark.parametrize("missing", ["brand_id", "name", "budget", "currency", "goals"])
def test_missing_required_field_is_named(tenant: Tenant, missing: str) -> None:
    body = ready_campaign(create_brand(tenant[Role.ADMIN]))
    del body[missing]
    error = _error(tenant[Role.MEMBER].post("/campaigns", json=body), 422)
    assert error["field"] == missing


def test_malformed_json_is_400(tenant: Tenant) -> None:
    response = tenant[Role.MEMBER].post(
        "/campaigns", content=b'{"name": "x",', headers={"Content-Type": "application/json"}
    )
    assert _error(response, 400)["code"] == "invalid_json"


def test_body_that_is_not_an_object_is_422(tenant: Tenant) -> None:
    assert _error(tenant[Role.MEMBER].post("/campaigns", json=[1, 2]), 422)["code"] == (
        "validation_failed"
    )


def test_non_json_content_type_is_415(tenant: Tenant) -> None:
    response = tenant[Role.MEMBER].post("/campaigns", content=b"name=x")
    assert _error(response, 415)["field"] == "header.Content-Type"


def test_oversized_body_is_413_and_nothing_is_written(tenant: Tenant) -> None:
    member = tenant[Role.MEMBER]
    body = ready_campaign(create_brand(tenant[Role.ADMIN]), description="x" * 200_000)
    assert _error(member.post("/campaigns", json=body), 413)["code"] == "payload_too_large"
    assert _campaign_count(member) == 0


def test_unknown_brand_is_named(tenant: Tenant) -> None:
    error = _error(tenant[Role.MEMBER].post("/campaigns", json=ready_campaign("nope")), 404)
    assert error["field"] == "brand_id"


def test_bad_query_parameters_are_named(tenant: Tenant) -> None:
    member = tenant[Role.MEMBER]
    assert _error(member.get("/campaigns", params={"status": "gone"}), 422)["field"] == (
        "query.status"
    )
    assert _error(member.get("/campaigns", params={"limit": "0"}), 422)["field"] == "query.limit"
    assert _error(member.get("/campaigns", params={"cursor": "!!"}), 400)["field"] == (
        "query.cursor"
    )
    assert _error(member.get("/campaigns", params={"colour": "red"}), 422)["field"] == (
        "query.colour"
    )


def test_empty_patch_and_null_required_field_are_rejected(tenant: Tenant) -> None:
    member = tenant[Role.MEMBER]
    campaign = create_campaign(member, create_brand(tenant[Role.ADMIN]))
    path = f"/campaigns/{campaign['campaign_id']}"
    assert _error(member.patch(path, json={}), 422)["code"] == "validation_failed"
    assert _error(member.patch(path, json={"budget": None}), 422)["field"] == "budget"
    assert member.get(path).json() == campaign


@pytest.mark.parametrize(
    "authorization",
    [None, "Basic dXNlcjpwYXNz", "Bearer", "Bearer nonsense", "Bearer ro_0000_secret"],
)
def test_missing_or_wrong_api_key_is_401(
    anonymous: httpx.Client, authorization: str | None
) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    error = _error(anonymous.get("/campaigns", headers=headers), 401)
    assert error["field"] == "header.Authorization"


def test_a_right_key_id_with_a_wrong_secret_is_401(tenant: Tenant, anonymous: httpx.Client) -> None:
    key = tenant[Role.OWNER].headers["Authorization"].removeprefix("Bearer ")
    forged = key[: key.rindex("_") + 1] + "A" * 43
    response = anonymous.get("/campaigns", headers={"Authorization": f"Bearer {forged}"})
    assert _error(response, 401)["code"] == "unauthenticated"


@pytest.mark.parametrize("campaign_id", ["__name__", "a" * 65, "x.y"])
def test_ids_that_cannot_exist_are_404(tenant: Tenant, campaign_id: str) -> None:
    error = _error(tenant[Role.VIEWER].get(f"/campaigns/{campaign_id}"), 404)
    assert error["field"] == "path.campaign_id"


def test_brand_id_that_cannot_exist_is_named(tenant: Tenant) -> None:
    error = _error(tenant[Role.MEMBER].post("/campaigns", json=ready_campaign("../x")), 422)
    assert error["field"] == "brand_id"


def test_unknown_route_gets_the_gateway_404(anonymous: httpx.Client) -> None:
    response = anonymous.get("/no-such-thing")
    assert response.status_code == 404
    assert response.json()["message"] == "The current request is not defined by this API."
