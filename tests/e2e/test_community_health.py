"""A campaign post's comments reach its creator's community health: the 12-hourly pass plans a
comments run for each open campaign post, the run's comments are stored and scored (each result
naming its engine and model), and GET /creators/{id} and the campaign's metrics show the
positive and negative shares, and null-with-reason for what is not known yet."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from shared.auth import Role
from shared.localstack.stack import StackInfo
from tests.e2e.conftest import Tenant
from tests.e2e.creator_flow import (
    accepted_instagram_campaign,
    eventually,
    first_pass_with_a_campaign_post,
    jobs_finished,
    run_monitoring,
)

pytestmark = pytest.mark.e2e


def test_campaign_post_comments_reach_the_creators_community_health(
    tenant: Tenant, local_stack: StackInfo
) -> None:
    member, viewer = tenant[Role.MEMBER], tenant[Role.VIEWER]
    campaign_id, allocation = accepted_instagram_campaign(tenant)
    creator_id = allocation["creator_id"]
    first = first_pass_with_a_campaign_post(local_stack, member, campaign_id, allocation)
    before = viewer.get(f"/creators/{creator_id}").json()["community_health"]
    assert before["comments"] == 0
    assert before["positive_share"] is None
    assert "positive_share" in before["unknown"]

    anthropic = httpx.Client(base_url=f"{local_stack.anthropic_api_url}/_control", timeout=10)

    def calls(endpoint: str) -> int:
        found = anthropic.get("/calls").json()["calls"]
        return sum(1 for call in found if call["endpoint"] == endpoint)

    messages_before, batches_before = calls("message"), calls("create_batch")
    second = run_monitoring(local_stack)  # now the campaign posts are known: comments runs
    assert any(job_id.startswith("comments-instagram-") for job_id in second)
    eventually(lambda: jobs_finished(member, len(set(first) | set(second))), "the comments run")

    def scored() -> dict[str, Any] | None:
        health: dict[str, Any] = viewer.get(f"/creators/{creator_id}").json()["community_health"]
        return health if health["comments"] and health["scored"] == health["comments"] else None

    health = eventually(scored, "the comments scored")
    assert calls("create_batch") > batches_before  # bulk work: the Message Batches API
    assert calls("message") == messages_before  # never one Messages call per comment
    assert health["positive_share"] > 0
    assert health["negative_share"] > 0
    if health["mean_toxicity"] is None:
        assert "mean_toxicity" in health["unknown"]
    else:
        assert 0 <= health["mean_toxicity"] <= 1
    assert health["trend"]["positive_share_30d"] == pytest.approx(health["positive_share"])

    metrics = viewer.get(f"/campaigns/{campaign_id}/metrics").json()
    assert metrics["community_health"]["comments"] == health["comments"]
    (mine,) = metrics["allocations"]
    assert mine["community_health"]["scored"] == health["scored"]
    engines = viewer.get("/sentiment", params={"source_type": "comment"})
    assert engines.status_code == 200, engines.text
    items = engines.json()["items"]
    assert items
    assert all(item["engine"] in ("anthropic", "vader") and item["model"] for item in items)
