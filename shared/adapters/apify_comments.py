"""Apify comment items -> CommentResults, per actor's documented item format.

Two actors return comments: apify/instagram-scraper run with `resultsType: "comments"` (items
with `id`, `text`, `ownerUsername`, `timestamp`, `likesCount` and the post's `postUrl` /
`inputUrl`) and clockworks/tiktok-comments-scraper (items with `cid`, `text`, `diggCount`,
`createTimeISO`, `uniqueId` and the post's `submittedVideoUrl` / `videoWebUrl` / `input`).

Every comment is mapped back to the requested post it belongs to by the post's id in those
URLs; a comment of a post that was not asked for is skipped, as is one beyond the run's
per-post bound (the actors' own limits are approximate) and a repeat of a comment already
seen (the TikTok actor is known to page the same comment twice). An error item skips with
the actor's reason and, when it names a requested post, makes that post a failure. Vendor
field names stop here.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from shared.adapters.apify_items import ERROR_TARGET_FIELDS, error_reason
from shared.adapters.apify_urls import post_ref
from shared.campaigns.models import Platform
from shared.people.handles import normalise_handle
from shared.ports import RequestedProfile
from shared.scraping.results import CommentResults, ScrapedComment

NOT_REQUESTED = "comment of a post that was not requested"
OVER_BOUND = "beyond the per-post bound"
DUPLICATE = "the same comment again"
NO_COMMENTS = "no comments returned by the run"
_POST_URL_FIELDS = ("postUrl", "inputUrl", "commentUrl", "submittedVideoUrl", "videoWebUrl")


def _hidden_is_none(value: Any) -> Any:
    return None if value is None or (isinstance(value, int) and value < 0) else value


def _blank_is_none(value: Any) -> Any:
    return value.strip() or None if isinstance(value, str) else value


Count = Annotated[Annotated[int, Field(ge=0)] | None, BeforeValidator(_hidden_is_none)]
Text = Annotated[str | None, BeforeValidator(_blank_is_none)]


class _Item(BaseModel):
    model_config = ConfigDict(extra="ignore")


class _Comment(_Item):
    """What both actors' comment items carry; each subclass says under which names."""

    comment_id: Annotated[str, Field(min_length=1)]
    text: Text = None
    owner: str | None = None
    posted_at: datetime | None = None
    likes: Count = None


class _InstagramComment(_Comment):
    comment_id: Annotated[str, Field(min_length=1, alias="id")]
    owner: str | None = Field(default=None, alias="ownerUsername")
    posted_at: datetime | None = Field(default=None, alias="timestamp")
    likes: Count = Field(default=None, alias="likesCount")


class _TikTokComment(_Comment):
    comment_id: Annotated[str, Field(min_length=1, alias="cid")]
    owner: str | None = Field(default=None, alias="uniqueId")
    posted_at: datetime | None = Field(default=None, alias="createTimeISO")
    likes: Count = Field(default=None, alias="diggCount")


@dataclass
class _Run:
    requested: Sequence[RequestedProfile]
    per_post: int | None
    results: CommentResults = field(default_factory=CommentResults)
    errors: dict[str, str] = field(default_factory=dict)
    seen: set[str] = field(default_factory=set)
    counts: Counter[str] = field(default_factory=Counter)

    def __post_init__(self) -> None:
        self.posts = {
            ref: r.post_url for r in self.requested if r.post_url and (ref := post_ref(r.post_url))
        }

    def post_of(self, item: dict[str, Any]) -> str | None:
        """The requested post URL an item names, or None."""
        for key in (*_POST_URL_FIELDS, *ERROR_TARGET_FIELDS):
            value = item.get(key)
            if isinstance(value, str) and (ref := post_ref(value)) in self.posts:
                return self.posts[ref]
        return None

    def add(self, comment: ScrapedComment) -> None:
        if comment.comment_id in self.seen:
            self.results.skipped[DUPLICATE] += 1
            return
        if self.per_post is not None and self.counts[comment.post_url] >= self.per_post:
            self.results.skipped[OVER_BOUND] += 1
            return
        self.seen.add(comment.comment_id)
        self.counts[comment.post_url] += 1
        self.results.comments.append(comment)


Parser = Callable[[dict[str, Any], _Run], None]


def _parser(model: type[_Comment], platform: Platform) -> Parser:
    """One actor's parser: its item format, read into the comment of a requested post."""

    def parse(item: dict[str, Any], run: _Run) -> None:
        comment = model.model_validate(item)
        post_url = run.post_of(item)
        if post_url is None:
            run.results.skipped[NOT_REQUESTED] += 1
            return
        run.add(
            ScrapedComment(
                platform=platform,
                comment_id=comment.comment_id,
                post_url=post_url,
                text=comment.text,
                author_username=normalise_handle(comment.owner or "") or None,
                likes=comment.likes,
                posted_at=comment.posted_at,
            )
        )

    return parse


COMMENT_PARSERS: dict[str, Parser] = {
    "apify/instagram-scraper": _parser(_InstagramComment, Platform.INSTAGRAM),
    "clockworks/tiktok-comments-scraper": _parser(_TikTokComment, Platform.TIKTOK),
}


def _parse(parse: Parser, item: Any, run: _Run) -> None:
    if not isinstance(item, dict):
        run.results.skipped["item is not an object"] += 1
        return
    if (reason := error_reason(item)) is not None:
        run.results.skipped[f"actor error: {reason}"] += 1
        if (named := run.post_of(item)) is not None:
            run.errors.setdefault(named, reason)
        return
    try:
        parse(item, run)
    except ValidationError as exc:
        error = exc.errors()[0]
        where = ".".join(str(part) for part in error["loc"]) or "item"
        run.results.skipped[f"{where}: {error['msg']}"] += 1


def parse_comments(
    actor_id: str,
    items: Iterable[Any],
    requested: Sequence[RequestedProfile],
    per_post: int | None = None,
) -> CommentResults:
    """Every item of one comments run, mapped to the posts (by URL) the run was asked for.
    A requested post with no comment is a failure: the actor's reason, or NO_COMMENTS (a post
    may simply have none yet)."""
    parse = COMMENT_PARSERS[actor_id]
    run = _Run(requested, per_post)
    for item in items:
        run.results.items += 1
        _parse(parse, item, run)
    for post_url in sorted(set(run.posts.values()) - set(run.counts)):
        run.results.failures[post_url] = run.errors.get(post_url, NO_COMMENTS)
    return run.results
