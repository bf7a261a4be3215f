"""Ingesting a finished Apify run: posts upserted, snapshots appended, profiles verified; for
a comments run, its comments MERGEd into reachops.post_comments (shared/scraping/comments.py).

Every write is keyed (posts by platform and post id, snapshots by run, spend by run), so a
redelivered event or a crash midway is finished by the next delivery with no double counting.
The job is marked done in the same batch that puts the hand-off event in its outbox
document (shared/outbox.py), published right after; a Pub/Sub outage or a crash in between
leaves the event for the relay, never a done job without its event.

A report is acted on as Apify's API tells it (`get_run`), never on the webhook's `eventType`:
a run still going (a premature or forged report) is left for its real webhook, and a report
of a run that is not the job's run of record only has its spend recorded
(shared/scraping/runs.py). A run reported under the job's current claim but started before that
claim was made cannot be the claim's run (a signed URL with another run's id in the body): it
changes nothing, and neither does an unknown run reported under a URL that names no claim.
A failed run is retried only while the job still waits on that very run, decided in the same
transaction, so a repeated FAILED never undoes the retry's claim nor starts another run.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from shared.creators.service import CreatorService
from shared.errors import NotFound
from shared.events import SYSTEM_ACTOR, DomainEvent
from shared.outbox import Outbox, event_document
from shared.ports import ActorRun, DocumentStore, RequestedProfile, Scraper, Warehouse
from shared.scraping.actors import ScrapeKind
from shared.scraping.comments import (
    COMMENTS_INGESTED,
    COMMENTS_KEY,
    COMMENTS_TABLE,
    comment_rows,
)
from shared.scraping.cost import run_cost
from shared.scraping.engagement import WINDOW, engagement_rate
from shared.scraping.jobs import ScrapeJobs, jobs_collection
from shared.scraping.models import JobStatus, ScrapeJob
from shared.scraping.results import CommentResults, ScrapedPost, ScrapeResults
from shared.scraping.runs import TERMINAL_RUN_STATUSES, is_job_run
from shared.scraping.webhook import EVENT_OF_STATUS
from shared.topology import QueueSpec

if TYPE_CHECKING:
    from shared.scraping.monitoring import ProfileMonitoring

logger = logging.getLogger(__name__)
# Apify's clock and ours may disagree by this much when a run's start is set against a claim.
CLOCK_SKEW = timedelta(minutes=1)
POSTS_INGESTED = "posts.ingested"
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
        outbox: Outbox,
        jobs: ScrapeJobs,
        creators: CreatorService,
        scraper: Callable[[], Scraper],
        queue: QueueSpec,
        monitoring: ProfileMonitoring,
    ) -> None:
        self._store = store
        self._warehouse = warehouse
        self._outbox = outbox
        self._jobs = jobs
        self._creators = creators
        self._scraper = scraper
        self._queue = queue
        self._monitoring = monitoring

    def handle(self, event: DomainEvent) -> None:
        """A run's report: its spend is recorded whatever the run is to the job; only the job's
        run of record (adopted here if its start was never saved) is ingested or retried."""
        job = self._jobs.load(event.org_id, event.subject_id)
        scraper = self._scraper()
        try:
            run = scraper.get_run(str(event.data["run_id"]))
        except NotFound:
            logger.warning("job %s: Apify knows no run %s", job.job_id, event.data["run_id"])
            return
        if run.status not in TERMINAL_RUN_STATUSES:
            logger.info("job %s: run %s is still %s", job.job_id, run.run_id, run.status)
            return
        claim_id = event.data.get("claim_id")
        ours = is_job_run(job, run, scraper.actor_id(job.actor_id))
        if not ours or not _may_be_reported(job, run, claim_id):
            logger.warning("job %s: run %s is not one of its runs", job.job_id, run.run_id)
            return
        if event.data.get("event_type") != EVENT_OF_STATUS.get(run.status):
            logger.warning(
                "job %s: the webhook said %s, Apify says run %s is %s",
                job.job_id,
                event.data.get("event_type"),
                run.run_id,
                run.status,
            )
        job = self._jobs.record_run(job, run, claim_id, run_cost(run))
        if job.run_id != run.run_id or job.status is not JobStatus.RUNNING:
            return
        if run.status == "SUCCEEDED":
            self._ingest(job, run)
        else:
            self._run_failed(job, run.status)

    def _ingest(self, job: ScrapeJob, run: ActorRun) -> None:
        if job.kind is ScrapeKind.COMMENTS:
            self._ingest_comments(job, run)
            return
        scraper = self._scraper()
        results = _results(scraper, job, run)
        scraped_at = run.finished_at or datetime.now(UTC)
        posts = self._wanted_posts(job, results)
        self._store_posts(job, posts, run, scraped_at)
        self._verify_profiles(job, results, run, scraped_at)
        self._monitoring.record_pass(job, results, scraped_at)
        event = DomainEvent(
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
        job.items = results.items
        job.posts_ingested = len(posts)
        job.skipped = dict(results.skipped)
        job.failed_profiles = dict(results.failures)
        self._finish(job, event)

    def _ingest_comments(self, job: ScrapeJob, run: ActorRun) -> None:
        """The run's comments MERGEd by comment id, then the job done with `comments.ingested`
        in its outbox (scored by the comment_sentiment function). `failed_profiles` names the
        requested post URLs that returned no comment, with the actor's reason."""
        scraped_at = run.finished_at or datetime.now(UTC)
        requested = [RequestedProfile(t.username, t.post_url) for t in job.targets]
        results = (
            self._scraper().comment_results(
                run.dataset_id, job.actor_id, requested, job.comments_per_post
            )
            if run.dataset_id
            else CommentResults(
                failures={t.post_url or "": "the run has no dataset" for t in job.targets}
            )
        )
        rows = comment_rows(job, results, scraped_at)
        self._warehouse.merge_rows(COMMENTS_TABLE, rows, COMMENTS_KEY, update_existing=True)
        keys = sorted({str(row["post_key"]) for row in rows})
        event = DomainEvent(
            event_id=f"{run.run_id}:comments",
            type=COMMENTS_INGESTED,
            org_id=job.org_id,
            subject_id=job.job_id,
            actor=SYSTEM_ACTOR,
            data={"post_keys": keys, "creator_ids": sorted({t.creator_id for t in job.targets})},
        )
        job.items = results.items
        job.comments_ingested = len(rows)
        job.skipped = dict(results.skipped)
        job.failed_profiles = dict(results.failures)
        self._finish(job, event)

    def _finish(self, job: ScrapeJob, event: DomainEvent) -> None:
        """The job done, in the same batch as its hand-off event's outbox document."""
        now = datetime.now(UTC)
        job.status, job.finished_at, job.error, job.updated_at = JobStatus.SUCCEEDED, now, None, now
        outbox_path, outbox_document = event_document(event)
        self._store.write_atomically(
            {
                f"{jobs_collection(job.org_id)}/{job.job_id}": job.model_dump(mode="json"),
                outbox_path: outbox_document,
            }
        )
        self._outbox.flush(outbox_path)

    def _wanted_posts(self, job: ScrapeJob, results: ScrapeResults) -> list[ScrapedPost]:
        """The actor's date filter is known to miss: filter again, and drop strangers. A
        post refresh asked for known posts by URL, whatever their age, so no date applies."""
        wanted = []
        refresh = job.kind is ScrapeKind.POST_REFRESH
        for post in results.posts:
            if _creator_of(job, post) is None:
                results.skipped["post of a profile that was not requested"] += 1
            elif not refresh and job.since and post.posted_at and post.posted_at.date() < job.since:
                results.skipped["older than requested"] += 1
            else:
                wanted.append(post)
        return wanted

    def _store_posts(
        self, job: ScrapeJob, posts: list[ScrapedPost], run: ActorRun, scraped_at: datetime
    ) -> None:
        documents = {}
        snapshots = []
        for post in posts:
            creator_id = _creator_of(job, post) or ""
            key = post_key(post.platform.value, post.platform_post_id)
            fields = asdict(post)
            documents[f"{posts_collection(job.org_id)}/{key}"] = {
                **fields,
                "platform": post.platform.value,
                "coauthors": list(post.coauthors),
                "content_type": post.content_type.value if post.content_type else None,
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
            ["run_id", "platform", "platform_post_id", "scraped_at"],
            update_existing=False,
        )

    def _verify_profiles(
        self, job: ScrapeJob, results: ScrapeResults, run: ActorRun, scraped_at: datetime
    ) -> None:
        rows = []
        seen = set()
        for target in job.targets:
            if (target.creator_id, target.username) in seen:
                continue  # a post refresh has one target per post, so profiles repeat
            seen.add((target.creator_id, target.username))
            profile = results.profiles.get(target.username.lower())
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
            "profile_snapshots",
            rows,
            ["run_id", "platform", "username", "scraped_at"],
            update_existing=False,
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

    def _run_failed(self, job: ScrapeJob, status: str) -> None:
        """Apify's own status of the job's run (FAILED, TIMED-OUT, ABORTED): run again after the
        queue's backoff, or fail the job on the last attempt."""
        run_id, now = job.run_id, datetime.now(UTC)
        error = f"Apify run {run_id} ended {status} (attempt {job.attempts})"
        final = job.attempts >= self._queue.max_attempts

        def end(data: dict[str, Any] | None) -> dict[str, Any]:
            current = ScrapeJob.model_validate(data)
            if current.run_id != run_id or current.status is not JobStatus.RUNNING:
                return current.model_dump(mode="json")  # a repeated report: retried already
            current.error, current.updated_at = error, now
            current.status = JobStatus.FAILED if final else JobStatus.PENDING
            current.finished_at = now if final else None
            return current.model_dump(mode="json")

        path = f"{jobs_collection(job.org_id)}/{job.job_id}"
        ended = ScrapeJob.model_validate(self._store.update_atomically(path, end))
        if ended.status is JobStatus.PENDING and ended.run_id == run_id:
            delay = self._queue.backoff_seconds(ended.attempts)
            self._jobs.enqueue(
                ended.org_id, ended.job_id, attempt=ended.attempts, delay_seconds=delay
            )


def _may_be_reported(job: ScrapeJob, run: ActorRun, claim_id: Any) -> bool:
    """A run the job knows; or one its URL's claim may have started: under the current claim
    only a run started since the claim was made, under an older claim any (superseded)."""
    if run.run_id in job.run_ids:
        return True
    if claim_id is None:
        return False
    if claim_id == job.claim_id and job.claimed_at is not None and run.started_at is not None:
        return run.started_at >= job.claimed_at - CLOCK_SKEW
    return True


def _results(scraper: Scraper, job: ScrapeJob, run: ActorRun) -> ScrapeResults:
    """What the run returned for the job's targets; a run without a dataset returned none."""
    if not run.dataset_id:
        return ScrapeResults(failures={t.username: "the run has no dataset" for t in job.targets})
    requested = [RequestedProfile(t.username, t.post_url) for t in job.targets]
    return scraper.results(run.dataset_id, job.actor_id, requested)


def _creator_of(job: ScrapeJob, post: ScrapedPost) -> str | None:
    """A refresh target names its post (by key); any other target names a profile."""
    key = post_key(post.platform.value, post.platform_post_id)
    by_post = next((t.creator_id for t in job.targets if t.post_key == key), None)
    return by_post or job.creator_for(post.username)


def _batches(items: list[Any], size: int) -> Iterable[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
