"""Comments of campaign posts: a comments run's rows for reachops.post_comments, and their
sentiment scoring once the run is stored.

A comments job is planned beside each post refresh (shared/scraping/planning.py) and runs
through the same queue, cap, ledger and webhook as every other run; its ingest (in
shared/scraping/ingest.py) MERGEs the comments by (org_id, platform, comment_id), so a
redelivered webhook or a later pass reading the same comment replaces its row, never adds one.
The job is marked done in the batch that puts `comments.ingested` in its outbox; the
`comment_sentiment` function hands that run's posts' comments to the sentiment bulk path (a
Message Batches run with Anthropic, at once with the offline engine; shared/bootstrap.py), which
caches by content hash and model, so a redelivery or a comment read again is never
scored twice. Scoring after the write, off the webhook's path, keeps a slow or paused engine
from holding the ingest. A comment's sentiment source id is `<platform>:<comment_id>`
(`comment_source_id`; the creator_community_health view joins on the same).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Protocol

from shared.events import DomainEvent
from shared.ports import Warehouse
from shared.scraping.models import ScrapeJob
from shared.scraping.results import CommentResults

COMMENTS_INGESTED = "comments.ingested"
COMMENTS_TABLE = "post_comments"
COMMENTS_KEY = ["org_id", "platform", "comment_id"]
SOURCE_TYPE = "comment"


def comment_source_id(platform: str, comment_id: str) -> str:
    """A comment's id as a sentiment source: comment ids are unique per platform only."""
    return f"{platform}:{comment_id}"


class CommentScorer(Protocol):
    """What the sentiment service offers this module: score (source id, text) pairs of one
    organization, each at most once per text and model."""

    def __call__(self, org_id: str, comments: Sequence[tuple[str, str]]) -> None: ...


def comment_rows(
    job: ScrapeJob, results: CommentResults, scraped_at: datetime
) -> list[dict[str, Any]]:
    """reachops.post_comments rows of the comments of the job's posts (the parser kept only
    comments of requested posts, so every one has its target)."""
    targets = {t.post_url: t for t in job.targets if t.post_url}
    return [
        {
            "org_id": job.org_id,
            "campaign_id": target.campaign_id,
            "creator_id": target.creator_id,
            "platform": comment.platform.value,
            "post_key": target.post_key,
            "comment_id": comment.comment_id,
            "text": comment.text,
            "author_username": comment.author_username,
            "likes": comment.likes,
            "posted_at": comment.posted_at,
            "scraped_at": scraped_at,
        }
        for comment in results.comments
        if (target := targets.get(comment.post_url)) is not None
    ]


class CommentSentiment:
    """The `comments.ingested` handler: every comment with text of the run's posts, scored."""

    def __init__(self, warehouse: Warehouse, scorer: CommentScorer) -> None:
        self._warehouse = warehouse
        self._scorer = scorer

    def handle(self, event: DomainEvent) -> int:
        """How many comments were handed to the scorer (those already scored cost nothing)."""
        keys = [str(key) for key in event.data.get("post_keys", [])]
        if not keys:
            return 0
        rows = self._warehouse.run(
            "queries/post_comments_to_score.sql", {"org_id": event.org_id, "post_keys": keys}
        )
        comments = [
            (comment_source_id(str(r["platform"]), str(r["comment_id"])), str(r["text"]))
            for r in rows
        ]
        if comments:
            self._scorer(event.org_id, comments)
        return len(comments)
