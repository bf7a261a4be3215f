"""Re-detection end to end on the local stack: accepting an allocation checks the creator's
posts stored before it, and changing a campaign's tracking rules checks them again, with the
campaign's dates read in its time zone, disclosure recorded per post, and a person's decision
kept through it all."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

import httpx
import pytest

from shared.auth import Role
from shared.bootstrap import Services
from shared.localstack.stack import StackInfo
from shared.scraping.ingest import post_key, posts_collection
from tests.e2e.conftest import Tenant
from tests.e2e.creator_flow import add_sample_creators, eventually
from tests.e2e.helpers import TODAY, create_brand, create_campaign

pytestmark = pytest.mark.e2e
START = TODAY - timedelta(days=20)


def store_post(
    services: Services, org_id: str, allocation: dict[str, Any], post_id: str, **fields: Any
) -> str:
    """A post as ingest stores it (written directly: no scrape runs in this test)."""
    key = post_key(allocation["platform"], post_id)
    services.store.set(
        f"{posts_collection(org_id)}/{key}",
        {
            "post_key": key,
            "platform": allocation["platform"],
            "platform_post_id": post_id,
            "username": allocation["username"],
            "creator_id": allocation["creator_id"],
            "url": f"https://www.instagram.com/p/{post_id}/",
            "hashtags": [],
            "mentions": [],
            "is_paid_partnership": None,
            "likes": 10,
            "comments": 1,
            "shares": None,
            "views": None,
            **fields,
        },
    )
    return key


def matches(client: httpx.Client, path: str, count: int) -> dict[str, dict[str, Any]] | None:
    items = client.get(path).json()["items"]
    return {p["post_key"]: p["match"] for p in items} if len(items) >= count else None


def test_accepting_and_changing_tracking_rules_recheck_stored_posts(
    tenant: Tenant, local_stack: StackInfo, app_services: Services
) -> None:
    member = tenant[Role.MEMBER]
    add_sample_creators(member)
    campaign = create_campaign(
        member,
        create_brand(tenant[Role.ADMIN]),
        platforms=["instagram"],
        audience_size="mid-tier",
        creators_wanted=1,
        start_date=START.isoformat(),
        end_date=(TODAY + timedelta(days=10)).isoformat(),
        timezone="Europe/Berlin",
        tracking_config={"required_hashtags": ["AcmeTrail"]},
    )
    campaign_id = campaign["campaign_id"]
    assert campaign["timezone"] == "Europe/Berlin"
    assert member.post(f"/campaigns/{campaign_id}/activate").status_code == 200
    (allocation,) = eventually(
        lambda: member.get(f"/campaigns/{campaign_id}/allocations").json()["items"], "allocation"
    )
    org = tenant.org_id
    recent = datetime.now(UTC) - timedelta(days=3)
    midnight_utc = datetime.combine(START, time(), UTC)  # 01:00 or 02:00 in Berlin
    tagged = store_post(
        app_services, org, allocation, "tagged", caption="#AcmeTrail Anzeige", posted_at=recent
    )
    linked = store_post(
        app_services, org, allocation, "linked", caption="shop acme.co/r/anna", posted_at=recent
    )
    # 23:30 UTC the evening before the start is already the first day in Berlin.
    first_day = store_post(
        app_services,
        org,
        allocation,
        "first-day",
        caption="#acmetrail #pr",
        posted_at=midnight_utc - timedelta(minutes=30),
    )
    store_post(
        app_services,
        org,
        allocation,
        "day-before",
        caption="#acmetrail",
        posted_at=midnight_utc - timedelta(hours=3),
    )

    accepted = member.post(
        f"/campaigns/{campaign_id}/allocations/{allocation['allocation_id']}/accept"
    )
    assert accepted.status_code == 200
    posts_path = f"/campaigns/{campaign_id}/allocations/{allocation['allocation_id']}/posts"
    found = eventually(lambda: matches(member, posts_path, 3), "posts checked on acceptance")

    assert set(found) == {tagged, linked, first_day}  # the day before is outside the window
    assert (found[tagged]["is_campaign_content"], found[tagged]["disclosed"]) == (True, True)
    assert found[tagged]["disclosure_markers"] == ["anzeige"]
    assert (found[first_day]["is_campaign_content"], found[first_day]["disclosed"]) == (True, False)
    assert found[first_day]["weak_disclosure_markers"] == ["#pr"]
    assert found[linked]["is_campaign_content"] is False

    rejected = member.post(f"/posts/{tagged}/reject", json={"campaign_id": campaign_id})
    assert rejected.status_code == 200

    refused = member.patch(
        f"/campaigns/{campaign_id}",
        json={"tracking_config": {"tracking_link_pattern": r"acme\.co/(?!x)\w+"}},
    )
    assert refused.status_code == 422
    assert refused.json()["error"]["field"] == "tracking_config.tracking_link_pattern"

    changed = member.patch(
        f"/campaigns/{campaign_id}",
        json={
            "tracking_config": {
                "required_hashtags": ["AcmeTrail"],
                "tracking_link_pattern": r"acme\.co/r/\w+",
            }
        },
    )
    assert changed.status_code == 200, changed.text

    def link_recognised() -> dict[str, dict[str, Any]] | None:
        now = matches(member, posts_path, 3)
        return now if now and now[linked]["is_campaign_content"] else None

    after = eventually(link_recognised, "posts checked again after the tracking rules changed")
    assert after[linked]["reasons"][0] == "tracking link matched"
    assert after[tagged]["decision"] == "rejected"
    assert after[tagged]["is_campaign_content"] is False
    assert after[tagged]["detected_as_campaign_content"] is True
