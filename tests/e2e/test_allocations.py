"""Activation allocates creators through Pub/Sub; people accept or decline them."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest

from shared.auth import Role
from tests.e2e.conftest import Tenant
from tests.e2e.helpers import create_brand, create_campaign

pytestmark = pytest.mark.e2e


def add_creator(
    client: httpx.Client, name: str, followers: int | None, rate: float | None, **fields: Any
) -> str:
    profile = {
        "platform": "instagram",
        "username": name.lower(),
        "declared_followers": followers,
        "declared_engagement_rate": rate,
    }
    body = {"name": name, "profiles": [profile], "location": "DE", **fields}
    response = client.post("/creators", json=body)
    assert response.status_code == 201, response.text
    creator_id: str = response.json()["creator_id"]
    return creator_id


def wait_for_allocations(
    client: httpx.Client, campaign_id: str, count: int, timeout: float = 30
) -> list[dict[str, Any]]:
    deadline = time.monotonic() + timeout
    items: list[dict[str, Any]] = []
    while time.monotonic() < deadline:
        items = client.get(f"/campaigns/{campaign_id}/allocations").json()["items"]
        if len(items) >= count:
            return items
        time.sleep(0.3)
    raise AssertionError(f"expected {count} allocations, have {items}")


def test_activation_allocates_the_best_eligible_creators_and_splits_the_budget(
    tenant: Tenant,
) -> None:
    member = tenant[Role.MEMBER]
    best = add_creator(member, "Best", 5_000, 0.08)
    second = add_creator(member, "Second", 6_000, 0.05)
    add_creator(member, "Third", 7_000, 0.01)
    add_creator(member, "TooBig", 500_000, 0.20)
    add_creator(member, "Abroad", 5_000, 0.30, location="FR")
    add_creator(member, "Inactive", 5_000, 0.30, status="inactive")
    add_creator(member, "NoFollowers", None, 0.30)
    campaign = create_campaign(
        member,
        create_brand(tenant[Role.ADMIN]),
        platforms=["instagram"],
        audience_size="micro",
        target_location="DE",
        budget=100_001,
        creators_wanted=2,
    )
    assert member.post(f"/campaigns/{campaign['campaign_id']}/activate").status_code == 200

    allocations = wait_for_allocations(member, campaign["campaign_id"], 2)

    assert [a["creator_id"] for a in allocations] == [best, second]
    assert [a["fee"] for a in allocations] == [50_001, 50_000]
    assert all(a["status"] == "pending" for a in allocations)
    assert allocations[0]["reasons"][0] == "ranked 1 of 3 eligible creators"


def test_a_decline_passes_the_fee_to_the_next_creator(tenant: Tenant) -> None:
    member = tenant[Role.MEMBER]
    first = add_creator(member, "First", 5_000, 0.08)
    second = add_creator(member, "Second", 5_000, 0.04)
    campaign = create_campaign(
        member, create_brand(tenant[Role.ADMIN]), platforms=["instagram"], budget=90_000
    )
    campaign_id = campaign["campaign_id"]
    member.post(f"/campaigns/{campaign_id}/activate")
    (allocation,) = wait_for_allocations(member, campaign_id, 1)
    assert allocation["creator_id"] == first

    declined = member.post(
        f"/campaigns/{campaign_id}/allocations/{allocation['allocation_id']}/decline"
    )
    assert declined.status_code == 200
    assert declined.json()["status"] == "declined"

    items = member.get(f"/campaigns/{campaign_id}/allocations").json()["items"]
    assert [(a["creator_id"], a["status"], a["fee"]) for a in items] == [
        (first, "declined", 90_000),
        (second, "pending", 90_000),
    ]
    accepted = member.post(
        f"/campaigns/{campaign_id}/allocations/{items[1]['allocation_id']}/accept"
    )
    assert accepted.json()["status"] == "accepted"
    again = member.post(f"/campaigns/{campaign_id}/allocations/{items[1]['allocation_id']}/decline")
    assert again.status_code == 409
    assert (
        tenant[Role.VIEWER]
        .post(f"/campaigns/{campaign_id}/allocations/{items[1]['allocation_id']}/accept")
        .status_code
        == 403
    )
    assert member.post(f"/campaigns/{campaign_id}/allocations/nope/accept").status_code == 404
