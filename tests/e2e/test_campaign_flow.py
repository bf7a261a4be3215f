"""The campaign journey through the gateway: create, list, change, move through the lifecycle,
and see every step on the activity timeline, delivered by Pub/Sub to the subscriber."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest

from shared.auth import Role
from tests.e2e.conftest import Tenant
from tests.e2e.helpers import TODAY, create_brand, create_campaign, wait_for_activity

pytestmark = pytest.mark.e2e


def test_campaign_is_created_as_draft_with_normalised_tracking(tenant: Tenant) -> None:
    brand_id = create_brand(tenant[Role.ADMIN])
    campaign = create_campaign(tenant[Role.MEMBER], brand_id)

    assert campaign["status"] == "draft"
    assert campaign["budget"] == 1_000_000
    assert campaign["tracking_config"]["required_hashtags"] == ["AcmeSpring"]
    assert campaign["tracking_config"]["required_mentions"] == ["acme"]
    assert campaign["tracking_config"]["min_match_confidence"] == 0.7
    fetched = tenant[Role.VIEWER].get(f"/campaigns/{campaign['campaign_id']}")
    assert fetched.status_code == 200
    assert fetched.json() == campaign


def test_lifecycle_moves_through_every_state_and_timeline_records_each_once(
    tenant: Tenant,
) -> None:
    member = tenant[Role.MEMBER]
    campaign_id = create_campaign(member, create_brand(tenant[Role.ADMIN]))["campaign_id"]

    for action, status in [
        ("activate", "active"),
        ("pause", "paused"),
        ("resume", "active"),
        ("complete", "completed"),
    ]:
        response = member.post(f"/campaigns/{campaign_id}/{action}")
        assert response.status_code == 200, response.text
        assert response.json()["status"] == status

    expected = {
        "campaign.created",
        "campaign.activated",
        "campaign.paused",
        "campaign.resumed",
        "campaign.completed",
    }
    timeline = wait_for_activity(tenant[Role.VIEWER], campaign_id, expected)
    assert [item["type"] for item in timeline] == [
        "campaign.created",
        "campaign.activated",
        "campaign.paused",
        "campaign.resumed",
        "campaign.completed",
    ]
    assert all(item["actor"]["role"] == "MEMBER" for item in timeline)
    assert "activated the campaign" in timeline[1]["summary"]


@pytest.mark.parametrize(
    ("done", "action"),
    [
        ([], "pause"),
        ([], "resume"),
        ([], "complete"),
        (["activate"], "activate"),
        (["activate"], "resume"),
        (["activate", "complete"], "activate"),
        (["activate", "complete"], "pause"),
    ],
)
def test_invalid_transition_is_409_and_changes_nothing(
    tenant: Tenant, done: list[str], action: str
) -> None:
    member = tenant[Role.MEMBER]
    campaign_id = create_campaign(member, create_brand(tenant[Role.ADMIN]))["campaign_id"]
    for step in done:
        assert member.post(f"/campaigns/{campaign_id}/{step}").status_code == 200
    before = member.get(f"/campaigns/{campaign_id}").json()

    response = member.post(f"/campaigns/{campaign_id}/{action}")

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "invalid_transition"
    assert member.get(f"/campaigns/{campaign_id}").json() == before


def test_activation_lists_every_failed_readiness_check(tenant: Tenant) -> None:
    member = tenant[Role.MEMBER]
    brand_id = create_brand(tenant[Role.ADMIN])
    draft = create_campaign(
        member,
        brand_id,
        platforms=[],
        start_date=None,
        end_date=None,
        tracking_config={"optional_hashtags": ["spring"]},
    )

    response = member.post(f"/campaigns/{draft['campaign_id']}/activate")

    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "not_ready"
    assert {d["field"] for d in error["details"]} == {
        "start_date",
        "end_date",
        "platforms",
        "tracking_config",
    }
    assert member.get(f"/campaigns/{draft['campaign_id']}").json()["status"] == "draft"


def test_activation_refuses_a_campaign_whose_end_date_has_passed(tenant: Tenant) -> None:
    member = tenant[Role.MEMBER]
    past = TODAY - timedelta(days=10)
    draft = create_campaign(
        member,
        create_brand(tenant[Role.ADMIN]),
        start_date=(past - timedelta(days=5)).isoformat(),
        end_date=past.isoformat(),
    )
    response = member.post(f"/campaigns/{draft['campaign_id']}/activate")
    assert response.status_code == 422
    assert [d["field"] for d in response.json()["error"]["details"]] == ["end_date"]


def test_patch_changes_only_what_the_state_allows(tenant: Tenant) -> None:
    member = tenant[Role.MEMBER]
    campaign_id = create_campaign(member, create_brand(tenant[Role.ADMIN]))["campaign_id"]

    draft_patch = member.patch(f"/campaigns/{campaign_id}", json={"platforms": ["youtube"]})
    assert draft_patch.status_code == 200
    assert draft_patch.json()["platforms"] == ["youtube"]
    assert draft_patch.json()["version"] == 2

    assert member.post(f"/campaigns/{campaign_id}/activate").status_code == 200
    locked = member.patch(f"/campaigns/{campaign_id}", json={"currency": "USD"})
    assert locked.status_code == 409
    assert locked.json()["error"]["field"] == "currency"

    budget = member.patch(f"/campaigns/{campaign_id}", json={"budget": 2_000_000})
    assert budget.status_code == 200
    assert budget.json()["budget"] == 2_000_000
    assert budget.json()["currency"] == "EUR"

    assert member.post(f"/campaigns/{campaign_id}/complete").status_code == 200
    frozen = member.patch(f"/campaigns/{campaign_id}", json={"name": "Renamed"})
    assert frozen.status_code == 409
    timeline = wait_for_activity(member, campaign_id, {"campaign.completed"})
    deadline = time.monotonic() + 30
    while len([i for i in timeline if i["type"] == "campaign.updated"]) < 2:
        assert time.monotonic() < deadline, "both updates never reached the timeline"
        time.sleep(0.3)
        timeline = member.get(f"/campaigns/{campaign_id}/activity").json()["items"]
    changed = [i["data"]["changed"] for i in timeline if i["type"] == "campaign.updated"]
    assert changed == [["platforms"], ["budget"]]


def test_patch_that_breaks_the_date_order_is_rejected(tenant: Tenant) -> None:
    member = tenant[Role.MEMBER]
    campaign = create_campaign(member, create_brand(tenant[Role.ADMIN]))
    earlier = (TODAY - timedelta(days=1)).isoformat()

    response = member.patch(f"/campaigns/{campaign['campaign_id']}", json={"end_date": earlier})

    assert response.status_code == 422
    assert response.json()["error"]["field"] == "end_date"
    assert member.get(f"/campaigns/{campaign['campaign_id']}").json() == campaign


def test_list_filters_by_status_and_brand_and_pages_with_a_cursor(tenant: Tenant) -> None:
    member = tenant[Role.MEMBER]
    admin = tenant[Role.ADMIN]
    brand_a, brand_b = create_brand(admin, "A"), create_brand(admin, "B")
    ids_a = [create_campaign(member, brand_a, name=f"A{i}")["campaign_id"] for i in range(5)]
    create_campaign(member, brand_b, name="B0")
    member.post(f"/campaigns/{ids_a[0]}/activate")

    seen: list[str] = []
    cursor: str | None = None
    while True:
        params = {"brand_id": brand_a, "limit": "2", **({"cursor": cursor} if cursor else {})}
        page = member.get("/campaigns", params=params).json()
        seen += [c["campaign_id"] for c in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == list(reversed(ids_a))

    active = member.get("/campaigns", params={"status": "active"}).json()["items"]
    assert [c["campaign_id"] for c in active] == [ids_a[0]]
    drafts_a = member.get("/campaigns", params={"status": "draft", "brand_id": brand_a}).json()
    assert len(drafts_a["items"]) == 4
