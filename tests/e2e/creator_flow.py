"""What the creator-flow e2e tests share: the sample creators the Apify stand-in knows, waiting
for the asynchronous pipeline, the scheduler's monitoring pass, and an active campaign with one
accepted Instagram creator (trail.anna's sample posts carry #AcmeTrail)."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import httpx

from shared.auth import Role
from shared.localstack.identities import SCHEDULER
from shared.localstack.stack import StackInfo
from tests.e2e.conftest import Tenant
from tests.e2e.helpers import TODAY, create_brand, create_campaign

SAMPLE_CREATORS = {"trail.anna": 0.03, "runwithmax": 0.05, "alpine_lena": 0.01}


def eventually(check: Callable[[], Any], what: str, timeout: float = 60) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}")


def add_sample_creators(client: httpx.Client) -> dict[str, str]:
    ids = {}
    for username, rate in SAMPLE_CREATORS.items():
        body = {
            "name": username,
            "location": "DE",
            "profiles": [
                {
                    "platform": "instagram",
                    "username": username,
                    "declared_followers": 40_000,
                    "declared_engagement_rate": rate,
                },
                {
                    "platform": "tiktok",
                    "username": username,
                    "declared_followers": 30_000,
                    "declared_engagement_rate": rate / 2,
                },
            ],
        }
        response = client.post("/creators", json=body)
        assert response.status_code == 201, response.text
        ids[username] = response.json()["creator_id"]
    return ids


def run_monitoring(stack: StackInfo) -> list[str]:
    """What Cloud Scheduler does every 12 hours."""
    response = httpx.post(
        f"{stack.functions_base_url}/scrape_monitor",
        headers=stack.invoker_headers(SCHEDULER, "scrape_monitor"),
        timeout=60,
    )
    assert response.status_code == 200, response.text
    job_ids: list[str] = response.json()["job_ids"]
    return job_ids


def jobs_finished(client: httpx.Client, count: int) -> list[dict[str, Any]] | None:
    jobs: list[dict[str, Any]] = client.get("/scrape-jobs").json()["items"]
    done = [j for j in jobs if j["status"] in ("succeeded", "failed")]
    return jobs if len(done) >= count else None


def accepted_instagram_campaign(tenant: Tenant, **overrides: Any) -> tuple[str, dict[str, Any]]:
    """An active Instagram campaign (20 days in, 10 to go, #AcmeTrail required) whose one
    allocation has been accepted: (campaign id, the allocation as listed before accepting)."""
    member = tenant[Role.MEMBER]
    add_sample_creators(member)
    fields: dict[str, Any] = {
        "platforms": ["instagram"],
        "audience_size": "mid-tier",
        "creators_wanted": 1,
        "start_date": (TODAY - timedelta(days=20)).isoformat(),
        "end_date": (TODAY + timedelta(days=10)).isoformat(),
        "tracking_config": {"required_hashtags": ["AcmeTrail"]},
        **overrides,
    }
    campaign_id: str = create_campaign(member, create_brand(tenant[Role.ADMIN]), **fields)[
        "campaign_id"
    ]
    member.post(f"/campaigns/{campaign_id}/activate")
    (allocation,) = eventually(
        lambda: member.get(f"/campaigns/{campaign_id}/allocations").json()["items"], "allocation"
    )
    accepted = member.post(
        f"/campaigns/{campaign_id}/allocations/{allocation['allocation_id']}/accept"
    )
    assert accepted.status_code == 200, accepted.text
    return campaign_id, allocation


def first_pass_with_a_campaign_post(
    stack: StackInfo, member: httpx.Client, campaign_id: str, allocation: dict[str, Any]
) -> list[str]:
    """Run the monitoring pass until the allocation's campaign post is matched (the next pass
    then scrapes its comments); the pass's job ids, which the comments run's wait counts."""
    first = run_monitoring(stack)
    eventually(lambda: jobs_finished(member, len(first)), "the first pass's scrape jobs")
    base = f"/campaigns/{campaign_id}/allocations/{allocation['allocation_id']}/posts"

    def matched() -> list[Any] | None:
        posts = [p for p in member.get(base).json()["items"] if p["match"]["is_campaign_content"]]
        return posts or None

    eventually(matched, "a campaign post")
    return first
