"""Ingesting a finished Apify run: posts upserted, snapshots appended, profiles verified.

Every write is keyed (posts by platform and post id, snapshots by run, spend by job), so a
redelivered event or a crash midway is finished by the next delivery with no double counting.
The job is marked done only after the hand-off event is published.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

from shared.creators.service import CreatorService
from shared.events import SYSTEM_ACTOR, DomainEvent
from shared.ports import ActorRun, DocumentStore, EventBus, Scraper, Warehouse
from shared.scraping.actors import ScrapeKind
from shared.scraping.cost import run_cost
from shared.scraping.engagement import WINDOW, engagement_rate
from shared.scraping.jobs import ScrapeJobs, monitoring_path
from shared.scraping.models import JobStatus, ScrapeJob
from shared.scraping.parsing import ParsedDataset, ScrapedPost, parse_items
from shared.topology import QueueSpec

logger = logging.getLogger(__name__)
POSTS_INGESTED = "posts.ingested"
SUCCEEDED = "ACTOR.RUN.SUCCEEDED"
FIRESTORE_BATCH = 400


def posts_collection(org_id: str) -> str:
    return f"orgs/{org_id}/posts"


def post_key(platform: str, platform_post_id: str) -> str:
    return f"{platform}__{platform_post_id}"


class ScrapeIngest:
    def __init__(
        self,
        *,
        store: DocumentStore,
        warehouse: Warehouse,
        bus: EventBus,
        jobs: ScrapeJobs,
        creators: CreatorService,
        scraper: Callable[[], Scraper],
        queue: QueueSpec,
    ) -> None:
        self._store = store
        self._warehouse = warehouse
        self._bus = bus
        self._jobs = jobs
        self._creators = creators
        self._scraper = scraper
        self._queue = queue

    def handle(self, event: DomainEvent) -> None:
        job = self._jobs.load(event.org_id, event.subject_id)
        if job.status in (JobStatus.SUCCEEDED, JobStatus.FAILED):
            return
        if event.data["run_id"] != job.run_id:
            logger.info("ignoring a report of an earlier run of job %s", job.job_id)
            return
        if event.data["event_type"] != SUCCEEDED:
            self._run_failed(job, event.data["event_type"])
            return
        self._ingest(job)

    def _ingest(self, job: ScrapeJob) -> None:
        scraper = self._scraper()
        run = scraper.get_run(job.run_id or "")
        prices = (
            scraper.event_prices_usd(run.actor_id) if run.pricing_model == "PAY_PER_EVENT" else {}
        )
        cost = run_cost(run, prices)
        parsed = parse_items(
            job.actor_id, scraper.dataset_items(run.dataset_id) if run.dataset_id else []
        )
        scraped_at = run.finished_at or datetime.now(UTC)
        posts = self._wanted_posts(job, parsed)
        self._store_posts(job, posts, run, scraped_at)
        self._verify_profiles(job, parsed, run, scraped_at)
        if job.kind is ScrapeKind.POSTS:
            for target in job.targets:
                self._store.set(
                    monitoring_path(job.org_id, job.platform.value, target.username),
                    {"last_collected_at": scraped_at.isoformat(), "job_id": job.job_id},
                )
        if cost.usd_micros is not None:
            self._jobs.record_spend(job.org_id, job.job_id, cost.usd_micros)
        self._bus.publish(
            DomainEvent(
                event_id=f"{run.run_id}:ingested",
                type=POSTS_INGESTED,
                org_id=job.org_id,
                subject_id=job.job_id,
                actor=SYSTEM_ACTOR,
                data={
                    "post_keys": [post_key(p.platform.value, p.platform_post_id) for p in posts],
                    "creator_ids": sorted({t.creator_id for t in job.targets}),
                },
            )
        )
        job.status, job.finished_at, job.error = JobStatus.SUCCEEDED, datetime.now(UTC), None
        job.cost_usd_micros, job.cost_source = cost.usd_micros, cost.source
        job.items = len(parsed.posts) + sum(parsed.skipped.values())
        job.posts_ingested = len(posts)
        job.skipped = dict(parsed.skipped)
        self._jobs.save(job)

    def _wanted_posts(self, job: ScrapeJob, parsed: ParsedDataset) -> list[ScrapedPost]:
        """The actor's date filter is known to miss: filter again, and drop strangers."""
        wanted = []
        for post in parsed.posts:
            if job.creator_for(post.username) is None:
                parsed.skipped["post of a profile that was not requested"] += 1
            elif job.since and post.posted_at and post.posted_at.date() < job.since:
                parsed.skipped["older than requested"] += 1
            else:
                wanted.append(post)
        return wanted

    def _store_posts(
        self, job: ScrapeJob, posts: list[ScrapedPost], run: ActorRun, scraped_at: datetime
    ) -> None:
        documents = {}
        snapshots = []
        for post in posts:
            creator_id = job.creator_for(post.username) or ""
            key = post_key(post.platform.value, post.platform_post_id)
            fields = asdict(post)
            documents[f"{posts_collection(job.org_id)}/{key}"] = {
                **fields,
                "platform": post.platform.value,
                "post_key": key,
                "creator_id": creator_id,
                "last_scraped_at": scraped_at,
                "last_run_id": run.run_id,
            }
            snapshots.append(
                {
                    "org_id": job.org_id,
                    "creator_id": creator_id,
                    "platform": post.platform.value,
                    "platform_post_id": post.platform_post_id,
                    "url": post.url,
                    "posted_at": post.posted_at,
                    "likes": post.likes,
                    "comments": post.comments,
                    "shares": post.shares,
                    "views": post.views,
                    "reach": None,
                    "scraped_at": scraped_at,
                    "run_id": run.run_id,
                    "actor_id": job.actor_id,
                }
            )
        for batch in _batches(list(documents.items()), FIRESTORE_BATCH):
            self._store.write_atomically(dict(batch))
        self._warehouse.merge_rows(
            "post_snapshots",
            snapshots,
            ["run_id", "platform", "platform_post_id"],
            update_existing=False,
        )

    def _verify_profiles(
        self, job: ScrapeJob, parsed: ParsedDataset, run: ActorRun, scraped_at: datetime
    ) -> None:
        rows = []
        for target in job.targets:
            profile = parsed.profiles.get(target.username)
            creator = self._creators.load(job.org_id, target.creator_id)
            stored = creator.profile(job.platform)
            followers = (
                profile.followers if profile else (stored.verified_followers if stored else None)
            )
            rate = engagement_rate(followers, self._recent_counts(job, target.creator_id))
            if profile is None and rate is None:
                continue
            self._creators.record_verified(
                org_id=job.org_id,
                creator_id=target.creator_id,
                platform=job.platform,
                followers=followers,
                engagement_rate=rate,
                measured_at=scraped_at,
            )
            rows.append(
                {
                    "org_id": job.org_id,
                    "creator_id": target.creator_id,
                    "platform": job.platform.value,
                    "username": target.username,
                    "followers": followers,
                    "following": profile.following if profile else None,
                    "posts_count": profile.posts_count if profile else None,
                    "engagement_rate": rate,
                    "engagement_rate_posts": WINDOW,
                    "scraped_at": scraped_at,
                    "run_id": run.run_id,
                    "actor_id": job.actor_id,
                }
            )
        self._warehouse.merge_rows(
            "profile_snapshots", rows, ["run_id", "platform", "username"], update_existing=False
        )

    def _recent_counts(
        self, job: ScrapeJob, creator_id: str
    ) -> list[tuple[int | None, int | None]]:
        recent = self._store.query(
            posts_collection(job.org_id),
            where=[("creator_id", "==", creator_id), ("platform", "==", job.platform.value)],
            order_by=[("posted_at", "desc")],
            limit=WINDOW,
        )
        return [(d.data.get("likes"), d.data.get("comments")) for d in recent]

    def _run_failed(self, job: ScrapeJob, event_type: str) -> None:
        job.error = f"Apify run {job.run_id} ended {event_type} (attempt {job.attempts})"
        if job.attempts >= self._queue.max_attempts:
            job.status, job.finished_at = JobStatus.FAILED, datetime.now(UTC)
            self._jobs.save(job)
            return
        job.status = JobStatus.PENDING
        self._jobs.save(job)
        delay = self._queue.backoff_seconds(job.attempts)
        self._jobs.enqueue(job.org_id, job.job_id, attempt=job.attempts, delay_seconds=delay)


def _batches(items: list[Any], size: int) -> Iterable[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
