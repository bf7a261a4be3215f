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
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class ScrapeTarget(BaseModel):
    """A profile to scrape, or (in a post-refresh job) one known post of it, by its URL."""

    creator_id: str
    username: str
    post_url: str | None = None
    post_key: str | None = None


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
    run_id: str | None = None
    run_ids: list[str] = Field(default_factory=list)
    error: str | None = None
    deferred_until: datetime | None = None
    cost_usd_micros: int | None = None
    cost_source: str | None = None
    items: int | None = None
    posts_ingested: int | None = None
    skipped: dict[str, int] = Field(default_factory=dict)
    created_at: datetime
    updated_at: datetime
    finished_at: datetime | None = None

    def creator_for(self, username: str) -> str | None:
        return next((t.creator_id for t in self.targets if t.username == username), None)


class ScrapeJobQuery(QueryModel):
    status: JobStatus | None = None
    limit: int | None = Field(default=None, ge=1, le=100)


class ScrapeJobList(BaseModel):
    items: list[ScrapeJob]
