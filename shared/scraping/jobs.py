"""Scrape jobs: planned by monitoring, run through the Cloud Tasks queue, paid for within an
organization's daily Apify budget.

An organization over its daily cap has its jobs deferred to the next UTC day (re-enqueued with
that schedule time), never dropped.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, time, timedelta
from typing import Any

from shared.allocations.models import AllocationStatus
from shared.allocations.service import AllocationService
from shared.auth import Permission, Principal
from shared.campaigns.models import CampaignStatus
from shared.campaigns.service import campaigns_collection
from shared.errors import NotFound, Unavailable
from shared.orgs.settings import settings_path
from shared.ports import DocumentStore, FilterOp, Scraper, ScraperError, TaskQueue
from shared.scraping.actors import SCRAPED_PLATFORMS, actor_for, run_input
from shared.scraping.models import JobStatus, ScrapeJob, ScrapeJobQuery, ScrapeTarget
from shared.scraping.planning import MonitoredProfile, PlannedJob, plan_jobs
from shared.scraping.webhook import webhook_url
from shared.topology import QueueSpec

logger = logging.getLogger(__name__)
SCRAPE_QUEUE = "apify-runs"


def jobs_collection(org_id: str) -> str:
    return f"orgs/{org_id}/scrape_jobs"


def spend_path(org_id: str, day: str) -> str:
    return f"orgs/{org_id}/apify_spend/{day}"


def monitoring_path(org_id: str, platform: str, username: str) -> str:
    return f"orgs/{org_id}/monitoring/{platform}__{username}"


class ScrapeJobs:
    def __init__(
        self,
        *,
        store: DocumentStore,
        tasks: TaskQueue,
        scraper: Callable[[], Scraper],
        allocations: AllocationService,
        queue: QueueSpec,
        webhook: tuple[str, str],
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._store = store
        self._tasks = tasks
        self._scraper = scraper
        self._allocations = allocations
        self._queue = queue
        self._webhook_base, self._webhook_secret = webhook
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
        """Plan and enqueue scrapes for accepted allocations of campaigns inside their dates."""
        profiles = self._monitored_profiles(org_id)
        planned = plan_jobs(org_id, profiles, self._now())
        for job in planned:
            if self.create(org_id, job):
                self.enqueue(org_id, job.job_id, attempt=0)
        return [job.job_id for job in planned]

    def enqueue(self, org_id: str, job_id: str, attempt: int, delay_seconds: float = 0) -> None:
        payload = {"org_id": org_id, "job_id": job_id}
        self._tasks.enqueue(
            SCRAPE_QUEUE, payload, task_id=f"{job_id}-a{attempt}", delay_seconds=delay_seconds
        )

    def run(self, org_id: str, job_id: str, task_retry_count: int) -> ScrapeJob:
        """Start the job's actor run (a Cloud Tasks delivery); a repeat delivery is a no-op."""
        job = self.load(org_id, job_id)
        if job.status not in (JobStatus.PENDING, JobStatus.DEFERRED):
            return job
        if self._over_daily_cap(org_id):
            return self._defer(job)
        spec = actor_for(job.platform, job.kind)
        usernames = [t.username for t in job.targets]
        try:
            run = self._scraper().start_run(
                spec.actor_id,
                run_input(spec, usernames, job.since),
                webhook_url(self._webhook_base, self._webhook_secret, org_id, job_id),
            )
        except ScraperError as exc:
            return self._start_failed(job, task_retry_count, exc)
        job.status, job.run_id, job.error = JobStatus.RUNNING, run.run_id, None
        job.attempts += 1
        job.run_ids.append(run.run_id)
        self.save(job)
        return job

    def daily_spend_usd_micros(self, org_id: str) -> int:
        data = self._store.get(spend_path(org_id, self._now().date().isoformat())) or {}
        return sum(int(v) for v in data.get("jobs", {}).values())

    def record_spend(self, org_id: str, job_id: str, usd_micros: int) -> None:
        """Per job, so a replayed ingest cannot count a run twice."""

        def add(data: dict[str, Any] | None) -> dict[str, Any]:
            jobs = dict((data or {}).get("jobs", {}))
            jobs[job_id] = usd_micros
            return {"jobs": jobs, "total_usd_micros": sum(jobs.values())}

        self._store.update_atomically(spend_path(org_id, self._now().date().isoformat()), add)

    def _over_daily_cap(self, org_id: str) -> bool:
        settings = self._store.get(settings_path(org_id)) or {}
        cap = settings.get("apify_daily_cap_usd_micros")
        return cap is not None and self.daily_spend_usd_micros(org_id) >= cap

    def _defer(self, job: ScrapeJob) -> ScrapeJob:
        tomorrow = datetime.combine(self._now().date() + timedelta(days=1), time.min, tzinfo=UTC)
        job.status = JobStatus.DEFERRED
        job.deferred_until = tomorrow
        job.error = "daily Apify spend cap reached; deferred to the next UTC day"
        self.save(job)
        delay = (tomorrow - self._now()).total_seconds()
        self._tasks.enqueue(
            SCRAPE_QUEUE,
            {"org_id": job.org_id, "job_id": job.job_id},
            task_id=f"{job.job_id}-d{tomorrow.date().isoformat()}",
            delay_seconds=delay,
        )
        return job

    def _start_failed(self, job: ScrapeJob, task_retry_count: int, exc: Exception) -> ScrapeJob:
        job.error = f"could not start the Apify run: {exc}"
        if task_retry_count + 1 >= self._queue.max_attempts:
            job.status = JobStatus.FAILED
            job.finished_at = self._now()
            self.save(job)
            return job
        self.save(job)
        raise Unavailable(job.error) from exc

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
            targets=[
                ScrapeTarget(creator_id=t.creator_id, username=t.username) for t in planned.targets
            ],
            since=planned.since,
            created_at=now,
            updated_at=now,
        )
        return self._store.create(
            f"{jobs_collection(org_id)}/{job.job_id}", job.model_dump(mode="json")
        )

    def _monitored_profiles(self, org_id: str) -> list[MonitoredProfile]:
        today = self._now().date()
        active = self._store.query(
            campaigns_collection(org_id), where=[("status", "==", CampaignStatus.ACTIVE.value)]
        )
        profiles: list[MonitoredProfile] = []
        for document in active:
            start, end = document.data.get("start_date"), document.data.get("end_date")
            if not start or not end or not (start <= today.isoformat() <= end):
                continue
            book = self._allocations.book(org_id, document.id)
            for allocation in book.allocations:
                if allocation.status is not AllocationStatus.ACCEPTED:
                    continue
                if allocation.platform not in SCRAPED_PLATFORMS:
                    continue
                last = self._store.get(
                    monitoring_path(org_id, allocation.platform.value, allocation.username)
                )
                since = (
                    datetime.fromisoformat(last["last_collected_at"]).date()
                    if last
                    else datetime.fromisoformat(start).date()
                )
                profiles.append(
                    MonitoredProfile(
                        allocation.creator_id, allocation.platform, allocation.username, since
                    )
                )
        return profiles
