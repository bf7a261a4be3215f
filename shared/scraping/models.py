"""Scrape jobs: one Apify run's worth of work, tracked from planning to ingest."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from shared.campaigns.models import Platform
from shared.model_base import QueryModel
from shared.scraping.actors import ScrapeKind


class JobStatus(StrEnum):
    PENDING = "pending"
    DEFERRED = "deferred"
    STARTING = "starting"  # claimed by one task delivery, which is starting its Apify run
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class ScrapeTarget(BaseModel):
    """A profile to scrape, or (in a post-refresh or comments job) one known post of it, by
    its URL; a comments target names the campaign its comments are counted for."""

    creator_id: str
    username: str
    post_url: str | None = None
    post_key: str | None = None
    campaign_id: str | None = None


class JobRun(BaseModel):
    """One Apify run of a job, superseded ones included, and what it cost the account."""

    run_id: str
    claim_id: str | None = Field(default=None, description="the claim that started it")
    superseded: bool = Field(
        default=False,
        description="never the job's run of record (a stale claim's or a duplicate start): "
        "its spend counts, its results are not ingested",
    )
    status: str | None = Field(default=None, description="Apify's status once it finished")
    started_at: datetime | None = None
    cost_usd_micros: int | None = None
    cost_source: str | None = Field(
        default=None, description="usage_total_usd, charged_events or unreported"
    )
    cost_note: str | None = Field(default=None, description="why the cost is unreported")


class ScrapeJob(BaseModel):
    model_config = ConfigDict(extra="ignore")

    job_id: str
    org_id: str
    kind: ScrapeKind
    platform: Platform
    actor_id: str
    targets: list[ScrapeTarget]
    since: date | None
    priority: int = Field(default=0, description="higher runs first when the queue is busy")
    status: JobStatus = JobStatus.PENDING
    attempts: int = 0
    claim_id: str | None = Field(default=None, description="the delivery that may start a run")
    claimed_at: datetime | None = None
    run_id: str | None = Field(default=None, description="the run of record of this attempt")
    run_ids: list[str] = Field(default_factory=list)
    runs: list[JobRun] = Field(default_factory=list)
    error: str | None = None
    deferred_until: datetime | None = None
    cost_usd_micros: int | None = Field(
        default=None, description="what all the job's runs cost, superseded ones included"
    )
    cost_source: str | None = Field(
        default=None, description="usage_total_usd, charged_events, mixed or unreported"
    )
    cost_note: str | None = Field(default=None, description="why the cost is unknown")
    comments_per_post: int | None = Field(
        default=None, description="a comments job's bound on the comments read per post"
    )
    items: int | None = None
    posts_ingested: int | None = None
    comments_ingested: int | None = None
    skipped: dict[str, int] = Field(
        default_factory=dict, description="dataset items not used, counted by reason"
    )
    failed_profiles: dict[str, str] = Field(
        default_factory=dict,
        description="requested username (a comments job: post URL) -> why the run returned "
        "nothing for it: the actor's own reason (not found, private, blocked) or 'not "
        "returned by the run'",
    )
    created_at: datetime
    updated_at: datetime
    finished_at: datetime | None = None

    def creator_for(self, username: str) -> str | None:
        """The creator of a requested username (usernames compare case-insensitively, as the
        platforms do)."""
        name = username.lower()
        return next((t.creator_id for t in self.targets if t.username.lower() == name), None)


class ScrapeJobQuery(QueryModel):
    status: JobStatus | None = None
    limit: int | None = Field(default=None, ge=1, le=100)


class ScrapeJobList(BaseModel):
    items: list[ScrapeJob]
