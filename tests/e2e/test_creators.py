"""Creators over HTTP: profiles with declared and verified numbers, tiers, and search."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from shared.auth import Role
from shared.bootstrap import Services
from shared.campaigns.models import Platform
from tests.e2e.conftest import Tenant

pytestmark = pytest.mark.e2e


def add_creator(client: httpx.Client, name: str, **fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": name,
        "profiles": [
            {"platform": "instagram", "username": f"@{name.lower()}", "declared_followers": 5_000}
        ],
        **fields,
    }
    response = client.post("/creators", json=body)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def names(page: dict[str, Any]) -> list[str]:
    return [c["name"] for c in page["items"]]


def test_a_creator_gets_effective_numbers_and_a_tier(tenant: Tenant) -> None:
    creator = add_creator(
        tenant[Role.MEMBER],
        "Anna",
        niches=["Outdoor", "running"],
        location="de",
        profiles=[
            {
                "platform": "instagram",
                "username": "@Trail.Anna",
                "declared_followers": 52_000,
                "declared_engagement_rate": 0.031,
            },
            {"platform": "tiktok", "username": "trail.anna", "declared_followers": 900},
        ],
    )
    instagram, tiktok = creator["profiles"]
    assert instagram["username"] == "trail.anna"
    assert (instagram["followers"], instagram["tier"], instagram["verified"]) == (
        52_000,
        "mid-tier",
        False,
    )
    assert instagram["engagement_rate"] == 0.031
    assert tiktok["tier"] is None
    assert creator["niches"] == ["outdoor", "running"]
    assert creator["location"] == "DE"


def test_verified_numbers_win_over_declared_and_survive_a_patch(
    tenant: Tenant, app_services: Services
) -> None:
    member = tenant[Role.MEMBER]
    creator = add_creator(member, "Max")
    app_services.creators.record_verified(
        org_id=tenant.org_id,
        creator_id=creator["creator_id"],
        platform=Platform.INSTAGRAM,
        followers=15_500,
        engagement_rate=0.042,
        measured_at=datetime.now(UTC),
    )

    patched = member.patch(
        f"/creators/{creator['creator_id']}",
        json={"profiles": [{"platform": "instagram", "username": "max", "declared_followers": 1}]},
    )

    assert patched.status_code == 200, patched.text
    profile = patched.json()["profiles"][0]
    assert (profile["followers"], profile["verified"], profile["tier"]) == (
        15_500,
        True,
        "mid-tier",
    )
    assert profile["declared_followers"] == 1
    assert profile["engagement_rate"] == 0.042


def test_search_filters_and_ranks_by_engagement_each_creator_once(
    tenant: Tenant, app_services: Services
) -> None:
    member = tenant[Role.MEMBER]

    def both(name: str, ig_rate: float, tt_rate: float, **fields: Any) -> dict[str, Any]:
        return add_creator(
            member,
            name,
            profiles=[
                {
                    "platform": "instagram",
                    "username": name.lower(),
                    "declared_followers": 20_000,
                    "declared_engagement_rate": ig_rate,
                },
                {
                    "platform": "tiktok",
                    "username": name.lower(),
                    "declared_followers": 3_000,
                    "declared_engagement_rate": tt_rate,
                },
            ],
            **fields,
        )

    both("Ava", 0.05, 0.02, location="DE", niches=["fitness"])
    bea = both("Bea", 0.01, 0.09, location="DE", niches=["food"])
    both("Cy", 0.03, 0.04, location="FR", niches=["fitness"])
    app_services.creators.record_verified(
        org_id=tenant.org_id,
        creator_id=bea["creator_id"],
        platform=Platform.INSTAGRAM,
        followers=25_000,
        engagement_rate=0.06,
        measured_at=datetime.now(UTC),
    )
    viewer = tenant[Role.VIEWER]

    assert names(viewer.get("/creators").json()) == ["Bea", "Ava", "Cy"]
    assert names(viewer.get("/creators", params={"platform": "instagram"}).json()) == [
        "Bea",
        "Ava",
        "Cy",
    ]
    assert names(
        viewer.get("/creators", params={"platform": "tiktok", "tier": "micro"}).json()
    ) == [
        "Bea",
        "Cy",
        "Ava",
    ]
    assert names(viewer.get("/creators", params={"location": "DE", "niche": "fitness"}).json()) == [
        "Ava"
    ]
    assert names(viewer.get("/creators", params={"verified_only": "true"}).json()) == ["Bea"]
    assert names(
        viewer.get(
            "/creators", params={"platform": "instagram", "min_engagement_rate": "0.04"}
        ).json()
    ) == ["Bea", "Ava"]
    assert names(viewer.get("/creators", params={"tier": "macro"}).json()) == []


def test_search_pages_with_a_cursor_without_repeating_anyone(tenant: Tenant) -> None:
    member = tenant[Role.MEMBER]
    for i in range(7):
        add_creator(
            member,
            f"C{i}",
            profiles=[
                {"platform": "instagram", "username": f"c{i}", "declared_engagement_rate": i / 100},
                {"platform": "youtube", "username": f"c{i}", "declared_engagement_rate": i / 200},
            ],
        )
    seen: list[str] = []
    cursor: str | None = None
    while True:
        params = {"limit": "3", **({"cursor": cursor} if cursor else {})}
        page = member.get("/creators", params=params).json()
        seen += names(page)
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [f"C{i}" for i in reversed(range(7))]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "X", "profiles": []}, "profiles"),
        (
            {"name": "X", "profiles": [{"platform": "myspace", "username": "x"}]},
            "profiles.0.platform",
        ),
        (
            {"name": "X", "profiles": [{"platform": "tiktok", "username": "has space"}]},
            "profiles.0.username",
        ),
        (
            {
                "name": "X",
                "profiles": [
                    {"platform": "tiktok", "username": "a"},
                    {"platform": "tiktok", "username": "b"},
                ],
            },
            "profiles",
        ),
        (
            {
                "name": "X",
                "profiles": [{"platform": "tiktok", "username": "a", "declared_followers": -1}],
            },
            "profiles.0.declared_followers",
        ),
        (
            {
                "name": "X",
                "profiles": [
                    {"platform": "tiktok", "username": "a", "declared_engagement_rate": 3.4}
                ],
            },
            "profiles.0.declared_engagement_rate",
        ),
        (
            {
                "name": "X",
                "profiles": [{"platform": "tiktok", "username": "a", "verified_followers": 10}],
            },
            "profiles.0.verified_followers",
        ),
        (
            {"name": "X", "profiles": [{"platform": "tiktok", "username": "a"}], "location": "XX"},
            "location",
        ),
    ],
)
def test_bad_creator_input_is_named_and_nothing_is_written(
    tenant: Tenant, body: dict[str, Any], field: str
) -> None:
    member = tenant[Role.MEMBER]
    response = member.post("/creators", json=body)
    assert response.status_code == 422, response.text
    assert response.json()["error"]["field"] == field
    assert member.get("/creators").json()["items"] == []


def test_bad_search_parameters_are_named(tenant: Tenant) -> None:
    viewer = tenant[Role.VIEWER]
    for params, field in [
        ({"tier": "giant"}, "query.tier"),
        ({"min_engagement_rate": "high"}, "query.min_engagement_rate"),
        ({"verified_only": "perhaps"}, "query.verified_only"),
    ]:
        response = viewer.get("/creators", params=params)
        assert response.status_code == 422
        assert response.json()["error"]["field"] == field


def test_creators_of_another_organization_are_invisible(
    tenant: Tenant, other_tenant: Tenant
) -> None:
    theirs = add_creator(other_tenant[Role.MEMBER], "Secret")
    mine = tenant[Role.OWNER]
    assert mine.get(f"/creators/{theirs['creator_id']}").status_code == 404
    assert mine.patch(f"/creators/{theirs['creator_id']}", json={"name": "x"}).status_code == 404
    assert mine.get("/creators").json()["items"] == []
    assert tenant[Role.VIEWER].post("/creators", json={"name": "x"}).status_code == 403
