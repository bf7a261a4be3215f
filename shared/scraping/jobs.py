"""Scrape jobs: planned by monitoring, run through the Cloud Tasks queue, paid for within an
organization's daily Apify budget.

An organization over its daily cap has its jobs deferred to the next UTC day (re-enqueued with
that schedule time), never dropped. Each job gets exactly one paid run per attempt: it is
claimed in a transaction before its run is started (the state machine is in
shared/scraping/runs.py), and every run's spend, superseded runs' too, is on the ledger.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from shared.auth import Permission, Principal
from shared.errors import NotFound, Unavailable
from shared.orgs.settings import settings_path
from shared.ports import ActorRun, DocumentStore, FilterOp, Scraper, ScraperError, TaskQueue
from shared.scraping.actors import DEFAULT_COMMENTS_PER_POST, actor_for, run_input
from shared.scraping.cost import RunCost
from shared.scraping.models import JobStatus, ScrapeJob, ScrapeJobQuery
from shared.scraping.planning import PlannedJob, plan_jobs
from shared.scraping.runs import (
    CLAIM_LEASE,
    claim,
    claim_is_live,
    may_claim,
    place,
    start_failed,
    started,
)
from shared.scraping.webhook import webhook_url
from shared.topology import QueueSpec

if TYPE_CHECKING:
    from shared.scraping.monitoring import ProfileMonitoring

logger = logging.getLogger(__name__)
SCRAPE_QUEUE = "apify-runs"


def jobs_collection(org_id: str) -> str:
    return f"orgs/{org_id}/scrape_jobs"


def spend_path(org_id: str, day: str) -> str:
    return f"orgs/{org_id}/apify_spend/{day}"


def monitoring_path(org_id: str, platform: str, username: str) -> str:
    """A watched profile's collection state: last successful collection, failure streaks."""
    return f"orgs/{org_id}/monitoring/{platform}__{username}"


class ScrapeJobs:
    def __init__(
        self,
        *,
        store: DocumentStore,
        tasks: TaskQueue,
        scraper: Callable[[], Scraper],
        queue: QueueSpec,
        webhook: tuple[str, str],
        monitoring: ProfileMonitoring,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._store = store
        self._tasks = tasks
        self._scraper = scraper
        self._queue = queue
        self._webhook_base, self._webhook_secret = webhook
        self._monitoring = monitoring
        self._now = now

    def load(self, org_id: str, job_id: str) -> ScrapeJob:
        data = self._store.get(f"{jobs_collection(org_id)}/{job_id}")
        if data is None:
            raise NotFound(f"scrape job {job_id} not found", field="job_id")
        return ScrapeJob.model_validate(data)

    def get(self, principal: Principal, job_id: str) -> ScrapeJob:
        principal.require(Permission.READ)
        return self.load(principal.org_id, job_id)

    def jobs(self, principal: Principal, query: ScrapeJobQuery) -> Sequence[ScrapeJob]:
        """Newest first: status, attempts, the error if any and what each run cost."""
        principal.require(Permission.READ)
        where: Sequence[tuple[str, FilterOp, Any]] = (
            [("status", "==", query.status.value)] if query.status else []
        )
        documents = self._store.query(
            jobs_collection(principal.org_id),
            where=where,
            order_by=[("created_at", "desc")],
            limit=query.limit or 50,
        )
        return [ScrapeJob.model_validate(d.data) for d in documents]

    def save(self, job: ScrapeJob) -> None:
        job.updated_at = self._now()
        self._store.set(f"{jobs_collection(job.org_id)}/{job.job_id}", job.model_dump(mode="json"))

    def monitor_all(self) -> list[str]:
        """Cloud Scheduler's 12-hourly pass over every organization."""
        return [job for org in self._store.query("orgs") for job in self.monitor(org.id)]

    def monitor(self, org_id: str) -> list[str]:
        """Plan and enqueue this slot's scrapes: new posts and profiles of the accepted creators
        of campaigns inside their dates, and a refresh and the comments of every campaign post
        still in its refresh window."""
        refresh = self._monitoring.refresh_posts(org_id)
        planned = plan_jobs(
            org_id,
            self._monitoring.profiles(org_id),
            self._now(),
            refresh,
            self._monitoring.comments_per_post(org_id),
        )
        self.hand_off(org_id, planned)
        return [job.job_id for job in planned]

    def hand_off(self, org_id: str, planned: Sequence[PlannedJob]) -> None:
        """Record each planned job and enqueue its first task. The job document is the
        outbox: a job still pending when the pass runs again (the enqueue failed, or the pass
        crashed between the two) is enqueued again, and the task's name (`{job}-a0`) makes a
        second enqueue of one that did reach the queue a no-op."""
        for job in planned:
            if (
                self.create(org_id, job)
                or self.load(org_id, job.job_id).status is JobStatus.PENDING
            ):
                self.enqueue(org_id, job.job_id, attempt=0)

    def enqueue(self, org_id: str, job_id: str, attempt: int, delay_seconds: float = 0) -> None:
        payload = {"org_id": org_id, "job_id": job_id}
        self._tasks.enqueue(
            SCRAPE_QUEUE, payload, task_id=f"{job_id}-a{attempt}", delay_seconds=delay_seconds
        )

    def run(self, org_id: str, job_id: str, task_retry_count: int) -> ScrapeJob:
        """Start the job's one actor run (a Cloud Tasks delivery), claiming the job first so a
        repeated or concurrent delivery starts nothing (state machine: shared/scraping/runs.py).
        """
        job = self.load(org_id, job_id)
        now = self._now()
        if claim_is_live(job, now):
            self._enqueue_lease_check(job)
            return job
        if not may_claim(job, now):
            return job
        if self._over_daily_cap(org_id):
            return self._defer(job)
        claim_id = uuid.uuid4().hex
        job = self._transition(org_id, job_id, lambda current: claim(current, claim_id, now))
        if job.claim_id != claim_id:
            return job
        self._enqueue_lease_check(job)
        spec = actor_for(job.platform, job.kind)
        url = webhook_url(self._webhook_base, self._webhook_secret, org_id, job_id, claim_id)
        usernames = [t.username for t in job.targets]
        post_urls = [t.post_url for t in job.targets if t.post_url]
        try:
            body = run_input(
                spec,
                usernames,
                job.since,
                post_urls,
                job.comments_per_post or DEFAULT_COMMENTS_PER_POST,
            )
            run = self._scraper().start_run(spec.actor_id, body, url)
        except ScraperError as exc:
            return self._start_failed(job, claim_id, task_retry_count, exc)
        return self._transition(org_id, job_id, lambda current: started(current, claim_id, run))

    def record_run(
        self, job: ScrapeJob, run: ActorRun, claim_id: str | None, cost: RunCost
    ) -> ScrapeJob:
        """A finished run reported for the job: its spend goes on the ledger (whatever became of
        the run), then the job adopts it or lists it as superseded."""
        self.record_spend(job.org_id, run, cost)
        return self._transition(
            job.org_id, job.job_id, lambda current: place(current, run, claim_id, cost)
        )

    def daily_spend_usd_micros(self, org_id: str) -> int:
        """Today's (UTC) spend: every run started today whose cost is known, superseded runs
        included."""
        data = self._store.get(spend_path(org_id, self._now().date().isoformat())) or {}
        return sum(int(v) for v in data.get("runs", {}).values())

    def record_spend(self, org_id: str, run: ActorRun, cost: RunCost) -> None:
        """On the ledger of the UTC day the run started (the day the spend was committed, and
        the day whose cap let it start), keyed by run id, so a replay counts nothing twice. A
        run whose cost Apify does not report is listed with the reason, not given a figure."""
        moment = run.started_at or run.finished_at or self._now()
        day = moment.astimezone(UTC).date().isoformat()

        def add(data: dict[str, Any] | None) -> dict[str, Any]:
            runs = dict((data or {}).get("runs", {}))
            unreported = dict((data or {}).get("unreported", {}))
            if cost.usd_micros is None:
                unreported[run.run_id] = cost.reason
            else:
                runs[run.run_id] = cost.usd_micros
                unreported.pop(run.run_id, None)
            return {
                "runs": runs,
                "unreported": unreported,
                "total_usd_micros": sum(runs.values()),
            }

        self._store.update_atomically(spend_path(org_id, day), add)

    def _transition(
        self, org_id: str, job_id: str, change: Callable[[ScrapeJob], ScrapeJob]
    ) -> ScrapeJob:
        """Read, change and write the job in one transaction (`change` may run more than once
        under contention, so it must only compute)."""

        def apply(data: dict[str, Any] | None) -> dict[str, Any]:
            if data is None:
                raise NotFound(f"scrape job {job_id} not found", field="job_id")
            before = ScrapeJob.model_validate(data)
            after = change(before.model_copy(deep=True))
            if after != before:
                after.updated_at = self._now()
            return after.model_dump(mode="json")

        path = f"{jobs_collection(org_id)}/{job_id}"
        return ScrapeJob.model_validate(self._store.update_atomically(path, apply))

    def _enqueue_lease_check(self, job: ScrapeJob) -> None:
        """A task for when the claim's lease runs out: if no run is known by then, that
        delivery claims the job again. Named by the claim, so enqueueing it again is a no-op."""
        if job.claimed_at is None or job.claim_id is None:
            return
        delay = (job.claimed_at + CLAIM_LEASE - self._now()).total_seconds()
        self._tasks.enqueue(
            SCRAPE_QUEUE,
            {"org_id": job.org_id, "job_id": job.job_id},
            task_id=f"{job.job_id}-c{job.claim_id}",
            delay_seconds=max(delay, 0) + 1,
        )

    def _over_daily_cap(self, org_id: str) -> bool:
        settings = self._store.get(settings_path(org_id)) or {}
        cap = settings.get("apify_daily_cap_usd_micros")
        return cap is not None and self.daily_spend_usd_micros(org_id) >= cap

    def _defer(self, job: ScrapeJob) -> ScrapeJob:
        """To the next UTC day, unless a concurrent delivery claimed the job meanwhile."""
        now = self._now()
        tomorrow = datetime.combine(now.date() + timedelta(days=1), time.min, tzinfo=UTC)

        def defer(current: ScrapeJob) -> ScrapeJob:
            if not may_claim(current, now):
                return current
            current.status, current.deferred_until = JobStatus.DEFERRED, tomorrow
            current.error = "daily Apify spend cap reached; deferred to the next UTC day"
            return current

        job = self._transition(job.org_id, job.job_id, defer)
        if job.status is JobStatus.DEFERRED:
            self._tasks.enqueue(
                SCRAPE_QUEUE,
                {"org_id": job.org_id, "job_id": job.job_id},
                task_id=f"{job.job_id}-d{tomorrow.date().isoformat()}",
                delay_seconds=(tomorrow - now).total_seconds(),
            )
        return job

    def _start_failed(
        self, job: ScrapeJob, claim_id: str, task_retry_count: int, exc: Exception
    ) -> ScrapeJob:
        """Release the claim for Cloud Tasks' retry (503), or fail the job on the last attempt.
        If Apify did start a run after all, its webhook still names this claim and is adopted
        (or recorded as superseded once a later claim started another)."""
        error = f"could not start the Apify run: {exc}"
        final = max(task_retry_count + 1, job.attempts) >= self._queue.max_attempts
        now = self._now()
        job = self._transition(
            job.org_id,
            job.job_id,
            lambda current: start_failed(current, claim_id, error, final, now),
        )
        if job.status is JobStatus.FAILED:
            return job
        raise Unavailable(error) from exc

    def create(self, org_id: str, planned: PlannedJob) -> bool:
        """Record a planned job; False when this slot already planned it."""
        now = self._now()
        spec = actor_for(planned.platform, planned.kind)
        job = ScrapeJob(
            job_id=planned.job_id,
            org_id=org_id,
            kind=planned.kind,
            platform=planned.platform,
            actor_id=spec.actor_id,
            targets=list(planned.targets),
            since=planned.since,
            comments_per_post=planned.comments_per_post,
            created_at=now,
            updated_at=now,
        )
        return self._store.create(
            f"{jobs_collection(org_id)}/{job.job_id}", job.model_dump(mode="json")
        )
