"""The Apify webhook intake as Apify calls it: signed URLs only, reports confirmed with Apify's
API before anything is handed on, clear errors, quick answers. Then the ingest's own check of
the run against the job, and a repeated FAILED racing the retry.

Runs are real runs of the local Apify stand-in (through apify-client); what the intake hands on
is read back from the Pub/Sub emulator's `scrape-finished` topic on a subscription of our own.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import functions_framework
import httpx
import pytest
from google.api_core.exceptions import DeadlineExceeded
from google.cloud.pubsub import SubscriberClient
from werkzeug.serving import make_server

from shared.auth import Principal, Role
from shared.bootstrap import Services, services
from shared.campaigns.models import Platform
from shared.config import Settings, get_settings
from shared.creators.models import CreatorCreate
from shared.localstack.apify import LocalApifyServer
from shared.localstack.stack import StackInfo
from shared.ports import ActorRun, Scraper
from shared.scraping.actors import ScrapeKind, actor_for, run_input
from shared.scraping.jobs import jobs_collection, spend_path
from shared.scraping.models import JobStatus, ScrapeTarget
from shared.scraping.planning import PlannedJob
from shared.scraping.runs import TERMINAL_RUN_STATUSES, claim
from shared.scraping.webhook import (
    EVENT_OF_STATUS,
    WebhookPayload,
    finished_event,
    sign,
    webhook_url,
)
from shared.topology import load_topology

pytestmark = pytest.mark.integration
MAIN = Path(__file__).resolve().parents[2] / "functions" / "main.py"
SPEC = actor_for(Platform.INSTAGRAM, ScrapeKind.POSTS)
Pull = Callable[[], list[dict[str, Any]]]


def intake(stack: StackInfo) -> str:
    return f"{stack.functions_base_url}/apify_webhook"


def sink(stack: StackInfo) -> str:
    """Where the runs started by hand report: a URL that answers 200 and does nothing."""
    return f"{stack.api_base_url}/_health"


def start(scraper: Scraper, webhook: str) -> ActorRun:
    return scraper.start_run(SPEC.actor_id, run_input(SPEC, ["trail.anna"], None), webhook)


def ended(scraper: Scraper, run: ActorRun) -> ActorRun:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        current = scraper.get_run(run.run_id)
        if current.status in TERMINAL_RUN_STATUSES:
            return current
        time.sleep(0.05)
    raise AssertionError(f"run {run.run_id} did not end")


def finished_run(stack: StackInfo, scraper: Scraper, *, fail: bool = False) -> ActorRun:
    if fail:
        faults = httpx.post(f"{stack.apify_api_url}/_control/faults", json={"fail_next_runs": 1})
        faults.raise_for_status()
    return ended(scraper, start(scraper, sink(stack)))


def report(run: ActorRun, event_type: str | None = None, **resource: Any) -> dict[str, Any]:
    """Apify's default payload for the run, as Apify would send it."""
    return {
        "userId": "u1",
        "createdAt": "2026-11-21T06:00:00.000Z",
        "eventType": event_type or EVENT_OF_STATUS[run.status],
        "eventData": {"actorId": run.actor_id, "actorRunId": run.run_id},
        "resource": {"id": run.run_id, "actId": run.actor_id, "status": run.status, **resource},
    }


def signed(stack: StackInfo, job: str = "job1", claim_id: str = "c1") -> str:
    return webhook_url(intake(stack), stack.apify_webhook_secret, "org1", job, claim_id)


@pytest.fixture
def scraper(app_services: Services) -> Scraper:
    return app_services.scraper()


@pytest.fixture
def handed_on(local_stack: StackInfo) -> Iterator[Pull]:
    """Pull what the intake published to `scrape-finished` since the fixture started."""
    subscriber = SubscriberClient()
    name = subscriber.subscription_path(local_stack.project_id, f"intake-{uuid.uuid4().hex}")
    topic = f"projects/{local_stack.project_id}/topics/scrape-finished"
    subscriber.create_subscription(request={"name": name, "topic": topic})

    def pull() -> list[dict[str, Any]]:
        try:
            response = subscriber.pull(
                request={"subscription": name, "max_messages": 100}, timeout=5
            )
        except DeadlineExceeded:
            return []
        if response.received_messages:
            ack_ids = [m.ack_id for m in response.received_messages]
            subscriber.acknowledge(request={"subscription": name, "ack_ids": ack_ids})
        return [json.loads(m.message.data) for m in response.received_messages]

    yield pull
    subscriber.delete_subscription(request={"subscription": name})
    subscriber.close()


def event_ids_until(pull: Pull, marker: str) -> set[str]:
    """Every event id handed on, up to and including `marker` (a report known to be good, sent
    last, so that whatever a forged report was going to publish has been published)."""
    seen: set[str] = set()
    deadline = time.monotonic() + 20
    while marker not in seen and time.monotonic() < deadline:
        seen |= {event["event_id"] for event in pull()}
    assert marker in seen, "the good report was not handed on"
    return seen


def test_a_signed_report_apify_confirms_is_handed_on(
    local_stack: StackInfo, scraper: Scraper, handed_on: Pull
) -> None:
    run = finished_run(local_stack, scraper)
    response = httpx.post(signed(local_stack), json=report(run), timeout=10)
    assert response.status_code == 200
    assert response.json() == {"accepted": True}
    assert f"{run.run_id}:ACTOR.RUN.SUCCEEDED" in event_ids_until(
        handed_on, f"{run.run_id}:ACTOR.RUN.SUCCEEDED"
    )


def test_a_url_signed_before_claims_existed_is_still_accepted(
    local_stack: StackInfo, scraper: Scraper
) -> None:
    run = finished_run(local_stack, scraper)
    signature = sign(local_stack.apify_webhook_secret, "org1", "job1")
    response = httpx.post(
        intake(local_stack),
        params={"org": "org1", "job": "job1", "sig": signature},
        json=report(run),
    )
    assert response.status_code == 200


FORGERIES: dict[str, tuple[Callable[[ActorRun], dict[str, Any]], int, str]] = {
    "unknown run": (lambda run: report(run, id="no-such-run"), 404, "resource.id"),
    "unknown run, bare": (lambda run: {**report(run), "resource": {"id": "x"}}, 404, "resource.id"),
    "wrong event": (lambda run: report(run, "ACTOR.RUN.FAILED"), 409, "eventType"),
    "wrong status": (lambda run: report(run, status="FAILED"), 409, "resource.status"),
    "another actor": (lambda run: report(run, actId="someone~elses"), 409, "resource.actId"),
}


@pytest.mark.parametrize("forgery", FORGERIES)
def test_a_report_apify_does_not_confirm_is_refused_and_hands_nothing_on(
    local_stack: StackInfo, scraper: Scraper, handed_on: Pull, forgery: str
) -> None:
    forge, status, field = FORGERIES[forgery]
    run = finished_run(local_stack, scraper)
    refused = httpx.post(signed(local_stack, job="job-forged"), json=forge(run), timeout=10)
    assert refused.status_code == status
    assert refused.json()["error"]["field"] == field

    good = httpx.post(signed(local_stack), json=report(run), timeout=10)
    assert good.status_code == 200
    marker = f"{run.run_id}:ACTOR.RUN.SUCCEEDED"
    seen = event_ids_until(handed_on, marker)
    assert seen == {marker}  # nothing from the forged report, for any job


def test_a_succeeded_report_of_a_failed_run_is_refused(
    local_stack: StackInfo, scraper: Scraper
) -> None:
    """A forged SUCCEEDED must not even reach the ingest: Apify says how the run ended."""
    run = finished_run(local_stack, scraper, fail=True)
    assert run.status == "FAILED"
    response = httpx.post(signed(local_stack), json=report(run, "ACTOR.RUN.SUCCEEDED"))
    assert response.status_code == 409
    assert response.json()["error"]["field"] == "eventType"


@pytest.fixture
def slow_apify(local_stack: StackInfo, monkeypatch: pytest.MonkeyPatch) -> Iterator[Scraper]:
    """An Apify whose runs take two minutes, for the in-process intake to ask about."""
    app = LocalApifyServer(run_delay_seconds=120)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setenv("REACHOPS_APIFY_API_URL", f"http://127.0.0.1:{server.server_port}")
    get_settings.cache_clear()
    services.cache_clear()
    yield services().scraper()
    server.shutdown()
    app.close()
    monkeypatch.undo()
    get_settings.cache_clear()
    services.cache_clear()


def test_a_premature_succeeded_report_is_refused_so_apify_retries_it(
    local_stack: StackInfo, slow_apify: Scraper, handed_on: Pull
) -> None:
    run = start(slow_apify, sink(local_stack))
    client = functions_framework.create_app("apify_webhook", str(MAIN)).test_client()  # type: ignore[no-untyped-call]
    url = signed(local_stack).removeprefix(intake(local_stack))
    response = client.post(f"/{url}", json=report(run, "ACTOR.RUN.SUCCEEDED", status="SUCCEEDED"))
    assert response.status_code == 409
    assert response.get_json()["error"]["field"] == "eventType"
    assert "still" in response.get_json()["error"]["message"]
    assert handed_on() == []


def test_missing_parameters_and_bad_bodies_are_named(local_stack: StackInfo) -> None:
    payload = {"eventType": "ACTOR.RUN.SUCCEEDED", "resource": {"id": "run1"}}
    missing = httpx.post(intake(local_stack), params={"org": "org1"}, json=payload)
    assert missing.status_code == 422
    assert missing.json()["error"]["field"] == "query.job"

    no_run = httpx.post(signed(local_stack), json={"eventType": "ACTOR.RUN.SUCCEEDED"})
    assert no_run.status_code == 422
    assert no_run.json()["error"]["field"] == "resource"
    garbage = httpx.post(
        signed(local_stack), content=b"{", headers={"Content-Type": "application/json"}
    )
    assert garbage.status_code == 422


def test_a_claim_the_signature_does_not_cover_is_refused(local_stack: StackInfo) -> None:
    """Else a caller could point a run's report at a claim that would adopt it."""
    url = signed(local_stack).replace("claim=c1", "claim=c2")
    response = httpx.post(url, json={"eventType": "x", "resource": {"id": "r"}}, timeout=10)
    assert response.status_code == 401
    assert response.json()["error"]["field"] == "query.sig"


@pytest.mark.parametrize(
    ("org", "job", "signed_for"),
    [("org1", "job1", ("org1", "job2")), ("org2", "job1", ("org1", "job1"))],
)
def test_a_signature_for_another_job_or_org_is_refused(
    local_stack: StackInfo, org: str, job: str, signed_for: tuple[str, str]
) -> None:
    signature = sign(local_stack.apify_webhook_secret, *signed_for)
    response = httpx.post(
        intake(local_stack),
        params={"org": org, "job": job, "sig": signature},
        json={"eventType": "x", "resource": {"id": "r"}},
    )
    assert response.status_code == 401
    assert response.json()["error"]["field"] == "query.sig"


# --- The ingest: the run must be the job's --------------------------------------------------


def new_org_with_job(svc: Services) -> tuple[str, str]:
    org, _ = svc.orgs.create_org("Intake")
    owner = Principal(org.org_id, "k1", Role.OWNER)
    creator = svc.creators.create(
        owner,
        CreatorCreate.model_validate_json(
            json.dumps(
                {"name": "Anna", "profiles": [{"platform": "instagram", "username": "trail.anna"}]}
            )
        ),
    )
    target = ScrapeTarget(creator_id=creator.creator_id, username="trail.anna")
    job_id = f"job-{uuid.uuid4().hex[:12]}"
    planned = PlannedJob(job_id, ScrapeKind.POSTS, Platform.INSTAGRAM, None, (target,))
    assert svc.scrape_jobs.create(org.org_id, planned)
    return org.org_id, job_id


def test_a_run_started_before_the_jobs_claim_is_not_adopted_by_it(
    local_stack: StackInfo, app_services: Services
) -> None:
    """A signed URL of a claim that has no run yet, with another run's id in the body: that run
    began before the claim was made, so it cannot be the claim's run, and nothing changes."""
    org_id, job_id = new_org_with_job(app_services)
    elsewhere = finished_run(local_stack, app_services.scraper())
    path = f"{jobs_collection(org_id)}/{job_id}"
    job = app_services.scrape_jobs.load(org_id, job_id)
    assert elsewhere.started_at is not None
    assert elsewhere.started_at >= job.created_at  # a run the job's actor ran since it was made
    later = elsewhere.started_at + timedelta(minutes=5)
    app_services.store.set(path, claim(job, "c1", later).model_dump(mode="json"))
    before = app_services.store.get(path)

    forged = WebhookPayload.model_validate(report(elsewhere))
    app_services.scrape_ingest.handle(finished_event(org_id, job_id, forged, "c1"))

    assert app_services.store.get(path) == before
    day = elsewhere.started_at.date().isoformat()
    assert elsewhere.run_id not in (app_services.store.get(spend_path(org_id, day)) or {}).get(
        "runs", {}
    )


def runs_started(stack: StackInfo) -> set[str]:
    return {run["id"] for run in httpx.get(f"{stack.apify_api_url}/_control/runs").json()["runs"]}


def settled(stack: StackInfo, task_id: str) -> None:
    """Wait until the stack's dispatcher has delivered `task_id` (and nothing runs)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        stats = httpx.get(f"{stack.api_base_url}/_tasks/apify-runs").json()
        waiting = {t["task_id"] for t in stats["pending"]}
        if task_id not in waiting and not stats["counts"].get("running"):
            return
        time.sleep(0.1)
    raise AssertionError(f"task {task_id} was not delivered")


def test_a_repeated_failed_report_racing_the_retry_starts_no_second_run(
    local_stack: StackInfo, clean_firestore: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Apify delivers a FAILED twice; the second is still in the ingest while the first has
    already retried the job and the retry started its run. The second must not put the job
    back to PENDING (the retry's run would be orphaned and a third run paid for)."""
    svc = Services(
        Settings(duckdb_path=tmp_path / "w.duckdb", functions_base_url=sink(local_stack)),
        load_topology(),
    )
    svc.warehouse.apply_schema()
    org_id, job_id = new_org_with_job(svc)
    before = runs_started(local_stack)
    httpx.post(f"{local_stack.apify_api_url}/_control/faults", json={"fail_next_runs": 1})
    first = svc.scrape_jobs.run(org_id, job_id, task_retry_count=0)
    assert first.run_id is not None
    failed = ended(svc.scraper(), svc.scraper().get_run(first.run_id))
    assert failed.status == "FAILED"
    event = finished_event(
        org_id, job_id, WebhookPayload.model_validate(report(failed)), first.claim_id
    )

    record_run = svc.scrape_jobs.record_run
    armed = [True]

    def record_then_retry_meanwhile(*args: Any) -> Any:
        recorded = record_run(*args)
        if armed:
            armed.clear()
            svc.scrape_ingest.handle(event)  # the other delivery, all the way to the retry
            svc.scrape_jobs.run(org_id, job_id, task_retry_count=1)
        return recorded

    monkeypatch.setattr(svc.scrape_jobs, "record_run", record_then_retry_meanwhile)
    svc.scrape_ingest.handle(event)
    settled(local_stack, f"{job_id}-a1")  # the retry task, delivered to the stack's runner

    job = svc.scrape_jobs.load(org_id, job_id)
    new_runs = runs_started(local_stack) - before
    assert job.status is JobStatus.RUNNING
    assert job.run_id is not None
    assert new_runs == {failed.run_id, job.run_id}
