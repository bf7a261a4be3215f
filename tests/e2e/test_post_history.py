"""A campaign post's history through the gateway: every scrape of it is one point, so a person
can see it grow; only posts checked for the allocation are shown, inside the tenant."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from shared.auth import Role
from shared.bootstrap import Services
from shared.campaigns.models import Platform
from shared.localstack.identities import TASKS_INVOKER
from shared.localstack.stack import StackInfo
from shared.scraping.planning import RefreshPost, plan_jobs
from tests.e2e.conftest import Tenant
from tests.e2e.creator_flow import accepted_instagram_campaign, eventually, run_monitoring
from tests.e2e.helpers import create_brand, create_campaign

pytestmark = pytest.mark.e2e
COUNTS = ("views", "likes", "comments", "shares")


def refresh_now(
    app_services: Services, stack: StackInfo, org_id: str, post: dict[str, Any]
) -> None:
    """What the next 12-hourly pass does for a campaign post: re-measure it by its URL."""
    target = RefreshPost(
        creator_id=post["match"]["creator_id"],
        platform=Platform(post["platform"]),
        username=post["username"],
        post_key=post["post_key"],
        url=post["url"],
        until=datetime.now(UTC) + timedelta(days=30),
    )
    (job,) = plan_jobs(org_id, [], datetime.now(UTC) + timedelta(hours=12), [target])
    assert app_services.scrape_jobs.create(org_id, job)
    started = httpx.post(
        f"{stack.functions_base_url}/scrape_runner",
        json={"org_id": org_id, "job_id": job.job_id},
        headers=stack.invoker_headers(TASKS_INVOKER, "scrape_runner"),
        timeout=60,
    )
    assert started.status_code == 200, started.text


def test_a_campaign_post_history_grows_one_point_per_scrape(
    tenant: Tenant, other_tenant: Tenant, local_stack: StackInfo, app_services: Services
) -> None:
    member, viewer = tenant[Role.MEMBER], tenant[Role.VIEWER]
    campaign_id, allocation = accepted_instagram_campaign(tenant)
    allocation_id = allocation["allocation_id"]
    run_monitoring(local_stack)
    base = f"/campaigns/{campaign_id}/allocations/{allocation_id}/posts"
    posts = eventually(lambda: member.get(base).json()["items"], "detected posts")
    post = next(p for p in posts if p["match"]["is_campaign_content"])
    history_path = f"{base}/{post['post_key']}/history"

    first = viewer.get(history_path)
    assert first.status_code == 200, first.text
    earlier = first.json()["points"]  # its posts run, and its profile run's latest posts
    assert earlier
    assert len({p["run_id"] for p in earlier}) == len(earlier)
    assert first.json()["post_key"] == post["post_key"]
    assert first.json()["url"] == post["url"]

    stored = app_services.store.get(f"orgs/{tenant.org_id}/posts/{post['post_key']}")
    assert stored is not None
    refresh_now(app_services, local_stack, tenant.org_id, {**post, "username": stored["username"]})

    def one_more_point() -> list[dict[str, Any]] | None:
        points: list[dict[str, Any]] = viewer.get(history_path).json()["points"]
        return points if len(points) == len(earlier) + 1 else None

    points = eventually(one_more_point, "the refreshed snapshot")
    assert points[:-1] == earlier
    before, after = points[-2], points[-1]
    assert before["run_id"] != after["run_id"]
    assert before["scraped_at"] < after["scraped_at"]
    for count in COUNTS:  # counts only grow; a hidden count stays unknown in every run
        if before[count] is None:
            assert after[count] is None
        else:
            assert after[count] >= before[count]
    assert viewer.get(history_path, params={"limit": 1}).json()["points"] == [after]
    assert viewer.get(f"{base}/instagram__not-checked/history").status_code == 404
    assert other_tenant[Role.OWNER].get(history_path).status_code == 404


def test_history_is_404_for_an_unknown_allocation_and_bounds_its_limit(
    tenant: Tenant, other_tenant: Tenant
) -> None:
    member = tenant[Role.MEMBER]
    campaign_id = create_campaign(member, create_brand(tenant[Role.ADMIN]))["campaign_id"]
    unknown_allocation = member.get(
        f"/campaigns/{campaign_id}/allocations/nope/posts/instagram__1/history"
    )
    assert unknown_allocation.status_code == 404
    other = other_tenant[Role.OWNER].get(
        f"/campaigns/{campaign_id}/allocations/nope/posts/instagram__1/history"
    )
    assert other.status_code == 404
    too_many = member.get(
        f"/campaigns/{campaign_id}/allocations/nope/posts/instagram__1/history",
        params={"limit": 501},
    )
    assert too_many.status_code == 422
