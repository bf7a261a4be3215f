"""Scraping when Apify misbehaves (faults injected into the local Apify server): throttling
and server errors are retried, failed runs are retried up to the queue's limit and then the
job fails visibly, duplicate webhooks ingest once, malformed items are skipped and counted,
and the daily spend cap defers jobs without dropping them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import httpx
import pytest

from shared.auth import Role
from shared.bootstrap import Services
from shared.localstack.stack import StackInfo
from shared.scraping.jobs import spend_path
from tests.e2e.conftest import Tenant
from tests.e2e.creator_flow import accepted_instagram_campaign, eventually, run_monitoring
from tests.e2e.helpers import TODAY

pytestmark = pytest.mark.e2e


@pytest.fixture
def apify(local_stack: StackInfo) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=f"{local_stack.apify_api_url}/_control", timeout=10) as client:
        client.post("/reset").raise_for_status()
        yield client
        client.post("/reset").raise_for_status()


def monitored_campaign(tenant: Tenant) -> str:
    """An active campaign with one accepted Instagram creator (runwithmax ranks first)."""
    campaign_id, allocation = accepted_instagram_campaign(tenant)
    assert allocation["username"] == "runwithmax"
    return campaign_id


def settled_jobs(client: httpx.Client, count: int = 2) -> list[dict[str, Any]]:
    def settled() -> list[dict[str, Any]] | None:
        jobs: list[dict[str, Any]] = client.get("/scrape-jobs").json()["items"]
        done = [j for j in jobs if j["status"] in ("succeeded", "failed", "deferred")]
        return jobs if len(jobs) == count and len(done) == count else None

    result: list[dict[str, Any]] = eventually(settled, "settled scrape jobs", timeout=90)
    return result


def test_throttling_and_server_errors_are_retried(
    tenant: Tenant, local_stack: StackInfo, apify: httpx.Client
) -> None:
    monitored_campaign(tenant)
    apify.post("/faults", json={"rate_limit_next": 2, "server_error_next": 2})

    run_monitoring(local_stack)

    jobs = settled_jobs(tenant[Role.VIEWER])
    assert {j["status"] for j in jobs} == {"succeeded"}


def test_a_failed_run_is_retried_and_then_succeeds(
    tenant: Tenant, local_stack: StackInfo, apify: httpx.Client
) -> None:
    monitored_campaign(tenant)
    apify.post("/faults", json={"fail_next_runs": 1})

    run_monitoring(local_stack)

    jobs = settled_jobs(tenant[Role.VIEWER])
    assert {j["status"] for j in jobs} == {"succeeded"}
    assert sorted(j["attempts"] for j in jobs) == [1, 2]
    retried = next(j for j in jobs if j["attempts"] == 2)
    assert len(retried["run_ids"]) == 2
    started = sorted(r["id"] for r in apify.get("/runs").json()["runs"])
    assert started == sorted(run_id for j in jobs for run_id in j["run_ids"])  # one per attempt
    assert [r["status"] for r in retried["runs"]] == ["FAILED", "SUCCEEDED"]
    assert retried["cost_usd_micros"] == sum(r["cost_usd_micros"] for r in retried["runs"])


def test_a_run_that_keeps_timing_out_fails_the_job_visibly(
    tenant: Tenant, local_stack: StackInfo, apify: httpx.Client
) -> None:
    monitored_campaign(tenant)
    apify.post("/faults", json={"timeout_next_runs": 100})

    run_monitoring(local_stack)

    jobs = settled_jobs(tenant[Role.VIEWER])
    assert {j["status"] for j in jobs} == {"failed"}
    for job in jobs:
        assert job["attempts"] == 5
        assert "TIMED-OUT" in job["error"]  # the run's status as Apify's API reports it
        assert job["finished_at"] is not None


def test_duplicate_webhooks_ingest_once_and_malformed_items_are_counted(
    tenant: Tenant, local_stack: StackInfo, apify: httpx.Client, app_services: Services
) -> None:
    monitored_campaign(tenant)
    apify.post("/faults", json={"duplicate_webhooks": True, "malformed_items_per_run": 2})

    run_monitoring(local_stack)

    jobs = settled_jobs(tenant[Role.VIEWER])
    assert {j["status"] for j in jobs} == {"succeeded"}
    posts_job = next(j for j in jobs if j["kind"] == "posts")
    assert sum(posts_job["skipped"].values()) >= 2
    assert posts_job["posts_ingested"] > 0
    ledger = app_services.store.get(spend_path(tenant.org_id, TODAY.isoformat()))
    assert ledger is not None
    assert ledger["total_usd_micros"] == sum(j["cost_usd_micros"] for j in jobs)


def test_the_daily_spend_cap_defers_jobs_and_drops_none(
    tenant: Tenant, local_stack: StackInfo, apify: httpx.Client
) -> None:
    monitored_campaign(tenant)
    admin = tenant[Role.ADMIN]
    assert admin.put("/settings", json={"apify_daily_cap_usd_micros": 0}).status_code == 200

    run_monitoring(local_stack)

    jobs = settled_jobs(tenant[Role.VIEWER])
    assert {j["status"] for j in jobs} == {"deferred"}
    assert all(
        j["deferred_until"].startswith((TODAY + timedelta(days=1)).isoformat()) for j in jobs
    )
    assert apify.get("/runs").json()["runs"] == []
    queue = httpx.get(f"{local_stack.api_base_url}/_tasks/apify-runs").json()
    waiting = {t["payload"]["job_id"] for t in queue["pending"]}
    assert waiting >= {j["job_id"] for j in jobs}
