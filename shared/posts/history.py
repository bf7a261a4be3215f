"""A campaign post's metrics over time, so a person can see it grow.

Every scrape of a post (its posts run, and each 12-hourly refresh while its refresh window is
open) appends one snapshot keyed by run; the history is those snapshots, one point per run,
from the warehouse. Only posts checked for the allocation's campaign are shown, inside the
caller's organization.
"""

from __future__ import annotations

from datetime import UTC, datetime

from pydantic import BaseModel, Field

from shared.allocations.service import AllocationService
from shared.auth import Permission, Principal
from shared.errors import NotFound
from shared.model_base import QueryModel
from shared.ports import DocumentStore, Warehouse
from shared.posts.service import matches_collection
from shared.scraping.ingest import posts_collection
from shared.scraping.monitoring import stored_instant

POST_HISTORY_SQL = "queries/post_history.sql"
DEFAULT_POINTS = 200
MAX_POINTS = 500
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class PostHistoryQuery(QueryModel):
    limit: int | None = Field(
        default=None, ge=1, le=MAX_POINTS, description="the latest points to return"
    )


class HistoryPoint(BaseModel):
    run_id: str
    scraped_at: datetime
    views: int | None = Field(description="null when the platform did not report it")
    likes: int | None = Field(description="null when the platform hides it")
    comments: int | None
    shares: int | None


class PostHistory(BaseModel):
    post_key: str
    platform: str
    platform_post_id: str
    url: str | None
    posted_at: datetime | None
    points: list[HistoryPoint] = Field(description="oldest first, one per scrape run")


class PostHistoryService:
    def __init__(
        self, *, store: DocumentStore, warehouse: Warehouse, allocations: AllocationService
    ) -> None:
        self._store = store
        self._warehouse = warehouse
        self._allocations = allocations

    def history(
        self,
        principal: Principal,
        campaign_id: str,
        allocation_id: str,
        post_key: str,
        query: PostHistoryQuery,
    ) -> PostHistory:
        principal.require(Permission.READ)
        self._allocations.get(principal, campaign_id, allocation_id)
        org_id = principal.org_id
        checked = self._store.query(
            matches_collection(org_id),
            where=[
                ("campaign_id", "==", campaign_id),
                ("allocation_id", "==", allocation_id),
                ("post_key", "==", post_key),
            ],
            limit=1,
        )
        post = self._store.get(f"{posts_collection(org_id)}/{post_key}") if checked else None
        if post is None:
            raise NotFound(
                f"post {post_key} is not among allocation {allocation_id}'s posts",
                field="post_key",
            )
        posted_at = stored_instant(post.get("posted_at"))
        rows = self._warehouse.run(
            POST_HISTORY_SQL,
            {
                "org_id": org_id,
                "platform": post["platform"],
                "platform_post_id": post["platform_post_id"],
                # No post is scraped before it is posted; unknown posting time reads it all.
                "scraped_from": posted_at or EPOCH,
                "limit": query.limit or DEFAULT_POINTS,
            },
        )
        return PostHistory(
            post_key=post_key,
            platform=post["platform"],
            platform_post_id=post["platform_post_id"],
            url=post.get("url"),
            posted_at=posted_at,
            points=[HistoryPoint.model_validate(row) for row in rows],
        )
