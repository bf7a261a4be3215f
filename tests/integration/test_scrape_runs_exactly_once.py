"""Exactly one paid Apify run per scrape job, status as Apify's API reports it, cost as the
account pays it. Real Firestore emulator, real DuckDB warehouse, the local Apify stand-in
through the real apify-client. The webhook deliveries and the Cloud Tasks hand-offs land on a
recorder here, and the test delivers them (as the intake and the dispatcher would), so it
decides when and how often each one arrives."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from shared.auth import Principal, Role
from shared.bootstrap import Services
from shared.campaigns.models import Platform
from shared.config import Settings
from shared.creators.models import CreatorCreate
from shared.localstack.apify import LocalApifyServer
from shared.localstack.stack import StackInfo
from shared.orgs.settings import settings_path
from shared.ports import DocumentStore
from shared.scraping.actors import ScrapeKind
from shared.scraping.cost import usd_to_micros
from shared.scraping.jobs import jobs_collection, spend_path
from shared.scraping.models import JobStatus, ScrapeJob, ScrapeTarget
from shared.scraping.planning import PlannedJob
from shared.scraping.runs import CLAIM_LEASE
from shared.scraping.webhook import WebhookPayload, WebhookQuery, finished_event, verify
from shared.topology import load_topology

pytestmark = pytest.mark.integration
SECRET = "test-secret"


@dataclass
class Recorder:
    """Webhooks (`/fn/apify_webhook`) and enqueued tasks (`/_tasks/<queue>`), as received."""

    webhooks: list[tuple[dict[str, str], dict[str, Any]]] = field(default_factory=list)
    tasks: list[dict[str, Any]] = field(default_factory=list)
    cond: threading.Condition = field(default_factory=threading.Condition)

    def __call__(self, environ: Any, start_response: Any) -> Any:
        request = Request(environ)
        with self.cond:
            if request.path.startswith("/_tasks/"):
                self.tasks.append(json.loads(request.data))
            else:
                self.webhooks.append((request.args.to_dict(), json.loads(request.data)))
            self.cond.notify_all()
        return Response("{}", status=200)(environ, start_response)

    def webhook_for(self, run_id: str) -> tuple[dict[str, str], dict[str, Any]]:
        def found() -> list[tuple[dict[str, str], dict[str, Any]]]:
            return [w for w in self.webhooks if w[1]["resource"]["id"] == run_id]

        with self.cond:
            assert self.cond.wait_for(lambda: bool(found()), timeout=10), "no webhook arrived"
            return found()[0]


def without_usage_total(app: LocalApifyServer) -> Callable[..., Any]:
    """The stand-in, except that runs are read without usageTotalUsd (a run object Apify may
    return without it), so the cost must come from the run's charged events and pricing."""

    def wrapped(environ: Any, start_response: Any) -> Any:
        captured: dict[str, Any] = {}

        def capture(status: str, headers: list[tuple[str, str]], *_: Any) -> Any:
            captured["status"], captured["headers"] = status, headers
            return lambda _data: None

        body = b"".join(app(environ, capture))
        if environ["PATH_INFO"].startswith("/v2/actor-runs/") and body:
            document = json.loads(body)
            document.get("data", {}).pop("usageTotalUsd", None)
            body = json.dumps(document).encode()
        headers = [(k, v) for k, v in captured["headers"] if k.lower() != "content-length"]
        start_response(captured["status"], [*headers, ("Content-Length", str(len(body)))])
        return [body]

    return wrapped


def serve(app: Any) -> tuple[str, Callable[[], None]]:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_port}", server.shutdown


class Clock:
    """The stand-in's clock, which a test may move on (prices in force follow it)."""

    def __init__(self) -> None:
        self.offset = timedelta(0)

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset


class SaveLostOnce(Exception):
    """The runner died after Apify started the run, before the run id was saved."""


class LosesTheRunSaveOnce:
    """The real store, except that the first write of a started run id fails (the crash)."""

    def __init__(self, store: DocumentStore) -> None:
        self._store = store
        self.armed = True

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)

    def update_atomically(
        self, path: str, change: Callable[[dict[str, Any] | None], dict[str, Any]]
    ) -> dict[str, Any]:
        def crashing(data: dict[str, Any] | None) -> dict[str, Any]:
            updated = change(data)
            starting = (data or {}).get("status") == JobStatus.STARTING.value
            if self.armed and starting and updated.get("run_id"):
                self.armed = False
                raise SaveLostOnce(path)
            return updated

        return self._store.update_atomically(path, crashing)


@dataclass
class World:
    services: Services
    apify: LocalApifyServer
    clock: Clock
    recorder: Recorder
    org_id: str
    creator_id: str

    def job(self, platform: Platform = Platform.INSTAGRAM, job_id: str = "job-1") -> str:
        username = "trail.anna" if platform is Platform.INSTAGRAM else "runwithmax"
        target = ScrapeTarget(creator_id=self.creator_id, username=username)
        planned = PlannedJob(job_id, ScrapeKind.POSTS, platform, None, (target,))
        assert self.services.scrape_jobs.create(self.org_id, planned)
        return job_id

    def load(self, job_id: str) -> ScrapeJob:
        return self.services.scrape_jobs.load(self.org_id, job_id)

    def deliver_webhook(self, run_id: str, event_type: str | None = None) -> None:
        """What the intake does with the run's webhook (signature checked), then the ingest;
        `event_type` overrides what the payload claims."""
        args, body = self.recorder.webhook_for(run_id)
        query = WebhookQuery.model_validate(args)
        verify(SECRET, query.org, query.job, query.sig, query.claim)
        payload = WebhookPayload.model_validate(
            {**body, "eventType": event_type or body["eventType"]}
        )
        event = finished_event(query.org, query.job, payload, query.claim)
        self.services.scrape_ingest.handle(event)

    def spend(self) -> dict[str, Any]:
        ledger = self.services.store.get(
            spend_path(self.org_id, datetime.now(UTC).date().isoformat())
        )
        return ledger or {}


@pytest.fixture
def world(
    request: pytest.FixtureRequest, local_stack: StackInfo, clean_firestore: None, tmp_path: Path
) -> Iterator[World]:
    """Parametrize indirectly with "no usage total" to read runs without usageTotalUsd."""
    clock = Clock()
    apify = LocalApifyServer(run_delay_seconds=0.3, clock=clock)
    reads_usage = getattr(request, "param", None) != "no usage total"
    apify_url, stop_apify = serve(apify if reads_usage else without_usage_total(apify))
    recorder = Recorder()
    recorder_url, stop_recorder = serve(recorder)
    settings = Settings(
        duckdb_path=tmp_path / "warehouse.duckdb",
        apify_api_url=apify_url,
        apify_token="local",
        apify_webhook_secret=SECRET,
        apify_min_delay_between_retries_seconds=0.01,
        functions_base_url=f"{recorder_url}/fn",
        local_dispatcher_url=f"{recorder_url}/_tasks",
    )
    services = Services(settings, load_topology())
    services.warehouse.apply_schema()
    org, _ = services.orgs.create_org("Once")
    owner = Principal(org.org_id, "k1", Role.OWNER)
    creator = services.creators.create(
        owner,
        CreatorCreate.model_validate_json(
            json.dumps(
                {
                    "name": "Anna",
                    "profiles": [
                        {"platform": "instagram", "username": "trail.anna"},
                        {"platform": "tiktok", "username": "runwithmax"},
                    ],
                }
            )
        ),
    )
    yield World(services, apify, clock, recorder, org.org_id, creator.creator_id)
    stop_apify()
    stop_recorder()
    apify.close()


def runs_at_apify(world: World) -> list[dict[str, Any]]:
    return world.apify.runs()


def test_a_duplicated_runner_task_starts_exactly_one_run(world: World) -> None:
    job_id = world.job()
    jobs = world.services.scrape_jobs
    deliveries = [
        threading.Thread(target=jobs.run, args=(world.org_id, job_id, n)) for n in range(3)
    ]
    for delivery in deliveries:
        delivery.start()
    for delivery in deliveries:
        delivery.join()
    jobs.run(world.org_id, job_id, task_retry_count=3)

    (run,) = runs_at_apify(world)
    job = world.load(job_id)
    assert (job.status, job.run_id, job.run_ids, job.attempts) == (
        JobStatus.RUNNING,
        run["id"],
        [run["id"]],
        1,
    )
    world.deliver_webhook(run["id"])
    world.deliver_webhook(run["id"])  # Apify delivers twice now and then

    done = world.load(job_id)
    assert done.status is JobStatus.SUCCEEDED
    usage = world.services.scraper().get_run(run["id"]).usage_total_usd
    assert usage is not None
    assert (done.cost_usd_micros, done.cost_source) == (usd_to_micros(usage), "usage_total_usd")
    assert world.spend()["runs"] == {run["id"]: done.cost_usd_micros}
    assert len(runs_at_apify(world)) == 1


def test_a_crash_between_start_and_save_ends_with_the_run_adopted_on_its_webhook(
    world: World,
) -> None:
    crashing = LosesTheRunSaveOnce(world.services.store)
    vars(world.services)["store"] = crashing  # before anything built on the store is made
    job_id = world.job()
    with pytest.raises(SaveLostOnce):
        world.services.scrape_jobs.run(world.org_id, job_id, task_retry_count=0)
    starting = world.load(job_id)
    assert (starting.status, starting.run_id) == (JobStatus.STARTING, None)
    lease_checks = [
        t for t in world.recorder.tasks if t["task_id"] == f"{job_id}-c{starting.claim_id}"
    ]
    assert len(lease_checks) == 1
    assert lease_checks[0]["delay_seconds"] == pytest.approx(CLAIM_LEASE.total_seconds(), abs=30)

    redelivered = world.services.scrape_jobs.run(world.org_id, job_id, task_retry_count=1)
    assert redelivered.status is JobStatus.STARTING
    (run,) = runs_at_apify(world)
    world.deliver_webhook(run["id"])

    done = world.load(job_id)
    assert (done.status, done.run_id, done.run_ids) == (JobStatus.SUCCEEDED, run["id"], [run["id"]])
    assert done.posts_ingested
    assert [r.superseded for r in done.runs] == [False]
    assert len(runs_at_apify(world)) == 1


def test_a_webhook_saying_succeeded_for_a_run_apify_reports_failed_is_treated_as_failed(
    world: World,
) -> None:
    job_id = world.job()
    world.apify.set_faults(fail_next_runs=1)
    job = world.services.scrape_jobs.run(world.org_id, job_id, task_retry_count=0)
    assert job.run_id is not None
    world.recorder.webhook_for(job.run_id)

    world.deliver_webhook(job.run_id, event_type="ACTOR.RUN.SUCCEEDED")

    retried = world.load(job_id)
    assert retried.status is JobStatus.PENDING
    assert retried.error is not None
    assert "FAILED" in retried.error
    assert retried.posts_ingested is None
    assert any(t["task_id"] == f"{job_id}-a1" for t in world.recorder.tasks)
    assert job.run_id in world.spend()["runs"]  # a failed run is paid for too


def test_a_premature_report_of_a_run_still_going_changes_nothing(world: World) -> None:
    job_id = world.job()
    job = world.services.scrape_jobs.run(world.org_id, job_id, task_retry_count=0)
    assert job.run_id is not None
    assert world.services.scraper().get_run(job.run_id).status in ("READY", "RUNNING")
    forged = WebhookPayload.model_validate(
        {"eventType": "ACTOR.RUN.SUCCEEDED", "resource": {"id": job.run_id}}
    )
    world.services.scrape_ingest.handle(finished_event(world.org_id, job_id, forged, job.claim_id))
    assert world.load(job_id).status is JobStatus.RUNNING

    world.deliver_webhook(job.run_id)
    assert world.load(job_id).status is JobStatus.SUCCEEDED


@pytest.mark.parametrize("world", ["no usage total"], indirect=True)
def test_without_usage_total_the_runs_own_prices_count_after_the_actor_changes_them(
    world: World,
) -> None:
    job_id = world.job(Platform.TIKTOK)
    job = world.services.scrape_jobs.run(world.org_id, job_id, task_retry_count=0)
    assert job.run_id is not None
    world.recorder.webhook_for(job.run_id)
    world.clock.offset = timedelta(days=30)  # the actor's announced new prices are in force
    actor = httpx.get(
        f"{world.services.settings.apify_api_url}/v2/actors/clockworks~tiktok-scraper",
        params={"token": "local"},
    ).json()["data"]
    in_force = max(
        (i for i in actor["pricingInfos"] if i["startedAt"] <= world.clock().isoformat()),
        key=lambda i: i["startedAt"],
    )
    assert in_force["pricingPerEvent"]["actorChargeEvents"]["result"]["eventPriceUsd"] == 0.0045

    world.deliver_webhook(job.run_id)

    run = world.services.scraper().get_run(job.run_id)
    assert run.usage_total_usd is None
    assert run.pricing is not None
    assert run.charged_event_counts is not None
    assert dict(run.pricing.event_prices_usd) == {"actor-start": 0.005, "result": 0.004}
    results = run.charged_event_counts["result"]
    done = world.load(job_id)
    assert done.status is JobStatus.SUCCEEDED
    assert done.cost_source == "charged_events"
    assert done.cost_usd_micros == 5_000 + 4_000 * results


def test_a_superseded_runs_spend_counts_toward_the_daily_cap(world: World) -> None:
    crashing = LosesTheRunSaveOnce(world.services.store)
    vars(world.services)["store"] = crashing
    job_id = world.job()
    jobs = world.services.scrape_jobs
    with pytest.raises(SaveLostOnce):
        jobs.run(world.org_id, job_id, task_retry_count=0)
    (first,) = runs_at_apify(world)
    world.recorder.webhook_for(first["id"])
    # No webhook reached us within the lease: the claim is stale, and the lease check claims
    # the job again.
    path = f"{jobs_collection(world.org_id)}/{job_id}"
    stale = dict(crashing.get(path) or {})
    stale["claimed_at"] = (datetime.now(UTC) - CLAIM_LEASE - timedelta(minutes=1)).isoformat()
    crashing.set(path, stale)
    second = jobs.run(world.org_id, job_id, task_retry_count=0)
    assert second.run_id is not None
    assert second.run_id != first["id"]
    world.recorder.webhook_for(second.run_id)

    world.deliver_webhook(second.run_id)
    world.deliver_webhook(first["id"])  # the lost webhook, at last

    done = world.load(job_id)
    assert (done.status, done.run_id) == (JobStatus.SUCCEEDED, second.run_id)
    assert {r.run_id: r.superseded for r in done.runs} == {first["id"]: True, second.run_id: False}
    ledger = world.spend()["runs"]
    assert set(ledger) == {first["id"], second.run_id}
    assert done.cost_usd_micros == sum(ledger.values())

    crashing.set(settings_path(world.org_id), {"apify_daily_cap_usd_micros": sum(ledger.values())})
    assert ledger[second.run_id] < sum(ledger.values())  # the current run alone is under the cap
    next_job = world.job(job_id="job-2")
    deferred = jobs.run(world.org_id, next_job, task_retry_count=0)
    assert deferred.status is JobStatus.DEFERRED
    assert len(runs_at_apify(world)) == 2
