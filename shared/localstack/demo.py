"""`reachops demo`: the platform's main flow on the local stack, over HTTP, narrated.

Organization and key -> brand -> creators -> draft campaign -> activation refused with every
failed readiness check -> draft completed -> activation -> `campaign.activated` travels through
the Pub/Sub emulator: the timeline records it and creators are matched -> allocations accepted
-> the 12-hourly monitoring pass scrapes them through the local Apify server (real
apify-client, labelled sample data) -> posts detected -> metrics rolled up and scored -> a Meta
ad account connected and synced (demo_paid.py) -> ad planning: a site's tracked visits and
purchases, attribution by every model, a backtested forecast and its accuracy, the dashboard,
the report files (demo_adplanning.py) -> an experiment: two landing-page variants, sample
visitors assigned and converting, the hourly results with their verdict and SRM check
(demo_experiments.py) -> insights: sample customers' purchases and visits, a form linking
visitors to persons, NPS feedback scored for sentiment, community health, a journey, an RFM
segment, NPS with its margin, lifetime value and the at-risk list (demo_insights.py).
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from shared.localstack import stack
from shared.localstack.demo_adplanning import run_adplanning_flow
from shared.localstack.demo_creators import SAMPLE_CREATORS, run_creator_flow
from shared.localstack.demo_experiments import run_experiments_flow
from shared.localstack.demo_http import expect
from shared.localstack.demo_insights import run_insights_flow
from shared.localstack.demo_paid import run_paid_flow

ACTIVITY_WAIT_SECONDS = 60


@dataclass(frozen=True)
class DemoResult:
    api_base_url: str
    org_id: str
    campaign_id: str
    status: str
    timeline: list[str]
    creator_report: dict[str, Any]
    paid_report: dict[str, Any]
    adplanning_report: dict[str, Any]
    experiment_report: dict[str, Any]
    insights_report: dict[str, Any]
    stack_left_running: bool


def _say(line: str = "") -> None:
    print(line, flush=True)


def _wait_for_activity(
    api: httpx.Client, campaign_id: str, event_type: str
) -> list[dict[str, Any]]:
    deadline = time.monotonic() + ACTIVITY_WAIT_SECONDS
    while time.monotonic() < deadline:
        items: list[dict[str, Any]] = expect(api.get(f"/campaigns/{campaign_id}/activity"), 200)[
            "items"
        ]
        if any(item["type"] == event_type for item in items):
            return items
        time.sleep(0.5)
    raise RuntimeError(
        f"{event_type} did not reach the activity timeline in {ACTIVITY_WAIT_SECONDS}s"
    )


def run_demo(state_dir: Path, keep: bool) -> DemoResult:
    already_running = stack.read_running(state_dir)
    _say("== ReachOps demo on the local stack ==")
    info = already_running or stack.up(state_dir)
    if already_running:
        os.environ.update(info.environment())
    _say(
        f"stack: API {info.api_base_url}/v1, Firestore {info.firestore_emulator_host}, "
        f"Pub/Sub {info.pubsub_emulator_host}"
    )
    try:
        return _walk_through(info, state_dir, keep or already_running is not None)
    finally:
        if not keep and already_running is None:
            stack.down(state_dir)
            _say("stack stopped")


def _walk_through(info: stack.StackInfo, state_dir: Path, stack_left_running: bool) -> DemoResult:
    from shared.bootstrap import services

    org, owner_key = services().orgs.create_org("Demo Agency")
    _say(f"1. organization {org.org_id} created with an OWNER key")
    headers = {"Authorization": f"Bearer {owner_key.api_key}"}
    with httpx.Client(base_url=info.api_base_url + "/v1", headers=headers, timeout=30) as api:
        brand = expect(
            api.post("/brands", json={"name": "Acme Outdoor", "industry": "Apparel"}), 201
        )
        _say(f"2. brand {brand['name']} ({brand['brand_id']}); creators added:")
        creator_ids: dict[str, str] = {}
        for username, followers, rate in SAMPLE_CREATORS:
            profile = {
                "platform": "instagram",
                "username": username,
                "declared_followers": followers,
                "declared_engagement_rate": rate,
            }
            body = {"name": username, "profiles": [profile], "location": "DE"}
            creator_ids[username] = expect(api.post("/creators", json=body), 201)["creator_id"]
            _say(f"     - @{username}: {followers:,} followers, {rate:.1%} engagement (declared)")
        draft = expect(
            api.post(
                "/campaigns",
                json={
                    "brand_id": brand["brand_id"],
                    "name": "Autumn trail launch",
                    "budget": 2_500_000,
                    "currency": "EUR",
                    "goals": ["reach", "engagement"],
                },
            ),
            201,
        )
        campaign_id = draft["campaign_id"]
        _say(f"3. draft campaign {draft['name']} ({campaign_id}), budget EUR 25,000.00")
        refused = expect(api.post(f"/campaigns/{campaign_id}/activate"), 422)
        _say("4. activation refused until the draft is complete:")
        for failed in refused["error"]["details"]:
            _say(f"     - {failed['field']}: {failed['message']}")
        today = datetime.now(UTC).date()
        expect(
            api.patch(
                f"/campaigns/{campaign_id}",
                json={
                    "platforms": ["instagram"],
                    "audience_size": "mid-tier",
                    "target_location": "DE",
                    "creators_wanted": 2,
                    "start_date": (today - timedelta(days=20)).isoformat(),
                    "end_date": (today + timedelta(days=10)).isoformat(),
                    "tracking_config": {
                        "required_hashtags": ["#AcmeTrail"],
                        "required_mentions": ["@acmeoutdoor"],
                    },
                },
            ),
            200,
        )
        _say("5. draft completed: platform, tier, dates, 2 creators wanted, tracking rules")
        active = expect(api.post(f"/campaigns/{campaign_id}/activate"), 200)
        _say(f"6. campaign is {active['status']}; waiting for campaign.activated on the timeline")
        timeline = _wait_for_activity(api, campaign_id, "campaign.activated")
        lines = [
            f"{item['occurred_at']}  {item['type']:<20} {item['summary']}" for item in timeline
        ]
        _say("7. activity timeline (written by the campaign_activity subscriber via Pub/Sub):")
        for line in lines:
            _say(f"     {line}")
        report = run_creator_flow(api, info, campaign_id)
        paid_report = run_paid_flow(api, campaign_id, creator_ids["trail.anna"])
        adplanning_report = run_adplanning_flow(
            api, info, brand_id=brand["brand_id"], campaign_id=campaign_id, state_dir=state_dir
        )
        experiment_report = run_experiments_flow(api, info, brand_id=brand["brand_id"])
        insights_report = run_insights_flow(
            api, info, brand_id=brand["brand_id"], campaign_id=campaign_id
        )
    if stack_left_running:
        _say("\nThe stack is still running. Try:")
        auth = f"Authorization: Bearer {owner_key.api_key}"
        _say(f"  curl -H '{auth}' {info.api_base_url}/v1/campaigns")
        _say("Stop it with: reachops stack down")
    return DemoResult(
        api_base_url=info.api_base_url + "/v1",
        org_id=org.org_id,
        campaign_id=campaign_id,
        status=active["status"],
        timeline=lines,
        creator_report=report,
        paid_report=paid_report,
        adplanning_report=adplanning_report,
        experiment_report=experiment_report,
        insights_report=insights_report,
        stack_left_running=stack_left_running,
    )
