"""A campaign post keeps being measured after its first day: when the next 12-hourly pass
re-measures it by its URL and its likes have grown, the growth reaches the allocation's and the
campaign's metrics (the latest snapshot wins, never a day-one figure)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from shared.auth import Role
from shared.bootstrap import Services
from shared.localstack.stack import StackInfo
from tests.e2e.conftest import Tenant
from tests.e2e.creator_flow import (
    accepted_instagram_campaign,
    eventually,
    jobs_finished,
    run_monitoring,
)
from tests.e2e.test_post_history import refresh_now

pytestmark = pytest.mark.e2e
PASS_HOURS = 12


@pytest.fixture
def twelve_hours_later(local_stack: StackInfo) -> Iterator[Callable[[], None]]:
    """Runs the Apify stand-in's clock one pass ahead for the test, then puts it back."""

    def offset(hours: float) -> None:
        response = httpx.post(
            f"{local_stack.apify_api_url}/_control/clock", json={"offset_hours": hours}
        )
        response.raise_for_status()

    try:
        yield lambda: offset(PASS_HOURS)
    finally:
        offset(0)


def _campaign_posts(client: httpx.Client, campaign_id: str, allocation_id: str) -> list[Any]:
    base = f"/campaigns/{campaign_id}/allocations/{allocation_id}/posts"
    posts = client.get(base).json()["items"]
    return [p for p in posts if p["match"]["is_campaign_content"]]


def test_likes_that_grow_between_passes_reach_the_campaign_metrics(
    tenant: Tenant,
    local_stack: StackInfo,
    app_services: Services,
    twelve_hours_later: Callable[[], None],
) -> None:
    member, viewer = tenant[Role.MEMBER], tenant[Role.VIEWER]
    campaign_id, allocation = accepted_instagram_campaign(tenant)
    allocation_id = allocation["allocation_id"]
    planned = run_monitoring(local_stack)
    eventually(lambda: jobs_finished(member, len(planned)), "the first pass's scrape jobs")

    def rolled_up() -> dict[str, Any] | None:
        metrics: dict[str, Any] = viewer.get(f"/campaigns/{campaign_id}/metrics").json()
        return metrics if metrics.get("likes") is not None else None

    def settled() -> tuple[list[Any], dict[str, Any]] | None:
        """The first pass's posts all matched and all rolled up (they land one by one)."""
        posts = _campaign_posts(member, campaign_id, allocation_id)
        metrics = rolled_up()
        if not posts or metrics is None or metrics["posts_count"] != len(posts):
            return None
        return posts, metrics

    posts, before = eventually(settled, "the first rollup")
    likes_before = {p["post_key"]: p["likes"] for p in posts}

    twelve_hours_later()
    for post in posts:
        stored = app_services.store.get(f"orgs/{tenant.org_id}/posts/{post['post_key']}")
        assert stored is not None
        refresh_now(
            app_services, local_stack, tenant.org_id, {**post, "username": stored["username"]}
        )

    def grown() -> dict[str, Any] | None:
        metrics = rolled_up()
        return metrics if metrics and metrics["likes"] > before["likes"] else None

    after = eventually(grown, "the campaign's likes to grow")
    refreshed = {
        p["post_key"]: p["likes"] for p in _campaign_posts(member, campaign_id, allocation_id)
    }
    assert refreshed.keys() == likes_before.keys()
    assert any(
        refreshed[key] > likes_before[key] for key in refreshed if likes_before[key] is not None
    )
    assert after["likes"] == sum(likes for likes in refreshed.values() if likes is not None)
    allocation_metrics = viewer.get(
        f"/campaigns/{campaign_id}/allocations/{allocation_id}/metrics"
    ).json()
    assert allocation_metrics["likes"] == after["likes"]
    assert after["engagement"] > before["engagement"]
