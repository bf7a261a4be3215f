"""The heart of the product, end to end on the local stack: activation allocates creators,
monitoring scrapes them through the local Apify server with the real apify-client, detection
recognises campaign posts, and metrics are rolled up and scored."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from shared.auth import Role
from shared.bootstrap import Services
from shared.events import SYSTEM_ACTOR, DomainEvent
from shared.localstack.stack import StackInfo
from shared.scraping.ingest import POSTS_INGESTED
from tests.e2e.conftest import Tenant
from tests.e2e.creator_flow import (
    accepted_instagram_campaign,
    add_sample_creators,
    eventually,
    jobs_finished,
    run_monitoring,
)
from tests.e2e.helpers import TODAY, create_brand, create_campaign

pytestmark = pytest.mark.e2e


def test_activation_to_scored_metrics(tenant: Tenant, local_stack: StackInfo) -> None:
    member = tenant[Role.MEMBER]
    ids = add_sample_creators(member)
    campaign = create_campaign(
        member,
        create_brand(tenant[Role.ADMIN]),
        platforms=["instagram"],
        audience_size="mid-tier",
        budget=300_000,
        creators_wanted=2,
        start_date=(TODAY - timedelta(days=20)).isoformat(),
        end_date=(TODAY + timedelta(days=10)).isoformat(),
        tracking_config={"required_hashtags": ["AcmeTrail"], "required_mentions": ["acmeoutdoor"]},
    )
    campaign_id = campaign["campaign_id"]
    assert member.post(f"/campaigns/{campaign_id}/activate").status_code == 200

    allocations = eventually(
        lambda: member.get(f"/campaigns/{campaign_id}/allocations").json()["items"],
        "allocations",
    )
    assert [a["creator_id"] for a in allocations] == [ids["runwithmax"], ids["trail.anna"]]
    for allocation in allocations:
        accepted = member.post(
            f"/campaigns/{campaign_id}/allocations/{allocation['allocation_id']}/accept"
        )
        assert accepted.status_code == 200

    planned = run_monitoring(local_stack)
    assert len(planned) == 2  # one posts run and one profiles run for both creators
    assert run_monitoring(local_stack) == planned  # the same 12-hour slot plans the same jobs
    jobs = eventually(lambda: jobs_finished(member, 2), "scrape jobs")
    assert {j["status"] for j in jobs} == {"succeeded"}
    assert all(j["cost_usd_micros"] is not None and j["cost_source"] for j in jobs)

    anna = member.get(f"/creators/{ids['trail.anna']}").json()["profiles"][0]
    assert anna["verified"] is True
    assert anna["verified_engagement_rate"] is not None

    def rolled_up() -> dict[str, Any] | None:
        metrics: dict[str, Any] = member.get(f"/campaigns/{campaign_id}/metrics").json()
        return (
            metrics if metrics["posts_count"] > 0 and metrics["allocations"][1]["score"] else None
        )

    metrics = eventually(rolled_up, "campaign metrics")
    assert metrics["reach"] is None
    assert "reach" in metrics["unknown"]
    assert metrics["spend_minor"] == 300_000
    assert metrics["engagement"] > 0
    assert metrics["cost_per_engagement_minor"] == pytest.approx(300_000 / metrics["engagement"])
    anna_metrics = next(a for a in metrics["allocations"] if a["creator_id"] == ids["trail.anna"])
    assert anna_metrics["score"]["rating"] in ("Strong", "Average", "Underperforming")
    matched = [p for p in anna_metrics["posts"] if p["match"]["is_campaign_content"]]
    assert matched
    assert all(p["match"]["confidence"] >= 0.7 for p in matched)
    assert any("acmetrail" in " ".join(p["match"]["reasons"]).lower() for p in matched)


def test_a_persons_decision_survives_redetection(
    tenant: Tenant, local_stack: StackInfo, app_services: Services
) -> None:
    member = tenant[Role.MEMBER]
    campaign_id, allocation = accepted_instagram_campaign(tenant)
    allocation_id = allocation["allocation_id"]
    run_monitoring(local_stack)
    posts_path = f"/campaigns/{campaign_id}/allocations/{allocation_id}/posts"
    posts = eventually(lambda: member.get(posts_path).json()["items"], "detected posts")
    detected = next(p for p in posts if p["match"]["is_campaign_content"])

    rejected = member.post(
        f"/posts/{detected['post_key']}/reject", json={"campaign_id": campaign_id}
    )
    assert rejected.status_code == 200
    assert rejected.json()["decision"] == "rejected"
    assert member.post(f"/posts/{detected['post_key']}/reject", json={}).status_code == 422
    assert (
        tenant[Role.VIEWER]
        .post(f"/posts/{detected['post_key']}/confirm", json={"campaign_id": campaign_id})
        .status_code
        == 403
    )

    rejected_at = rejected.json()["updated_at"]
    app_services.bus.publish(
        DomainEvent(
            type=POSTS_INGESTED,
            org_id=tenant.org_id,
            subject_id="redetect",
            actor=SYSTEM_ACTOR,
            data={"post_keys": [detected["post_key"]], "creator_ids": [allocation["creator_id"]]},
        )
    )

    def redetected() -> dict[str, Any] | None:
        posts = {p["post_key"]: p for p in member.get(posts_path).json()["items"]}
        post: dict[str, Any] = posts[detected["post_key"]]
        return post if post["match"]["updated_at"] != rejected_at else None

    after = eventually(redetected, "re-detection")
    assert after["match"]["decision"] == "rejected"
    assert after["match"]["is_campaign_content"] is False
    assert after["match"]["detected_as_campaign_content"] is True
