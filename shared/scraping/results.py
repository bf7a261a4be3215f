"""What a finished scrape run returned, as ReachOps' own types: no vendor field name appears here.

The Apify adapter (shared/adapters/apify_items.py) parses each actor's dataset items into these.
Every post is mapped back to the requested profile it belongs to (`username`), which is not
always its owner: a brand-owned collab post with the creator as co-author is the creator's
post too. A requested profile the run did not return (missing, private, renamed, or an actor
error item) is in `failures` with the actor's own reason, never silently "collected".
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from shared.campaigns.models import Platform


class ContentType(StrEnum):
    """What kind of post an item is, as far as the platform says."""

    IMAGE = "image"
    CAROUSEL = "carousel"
    VIDEO = "video"
    REEL = "reel"
    SHORT = "short"
    STREAM = "stream"


@dataclass(frozen=True)
class ScrapedPost:
    """One post as measured by one run.

    `username` is the requested profile (lower-case) the post is attributed to; `author` is
    the owner the platform names, `coauthors` the collaborators it names. `is_paid_partnership`
    is the platform's paid-partnership (branded content) label; `is_advertised` says the post
    is run as an ad (boosted), which is not the same thing. Counts are None when hidden or not
    reported, never 0 in their place.
    """

    platform: Platform
    platform_post_id: str
    username: str
    author: str | None
    coauthors: tuple[str, ...]
    url: str | None
    caption: str | None
    hashtags: list[str]
    mentions: list[str]
    posted_at: datetime | None
    likes: int | None
    comments: int | None
    shares: int | None
    views: int | None
    is_paid_partnership: bool | None
    is_advertised: bool | None
    is_pinned: bool | None
    content_type: ContentType | None


@dataclass(frozen=True)
class ScrapedProfile:
    platform: Platform
    username: str
    followers: int | None
    following: int | None
    posts_count: int | None


@dataclass
class ScrapeResults:
    """A run's dataset, parsed.

    `returned`: the requested usernames the run returned data for (a profile or a post).
    `failures`: requested username -> the actor's reason it was not returned (error item,
    not found, private), or "not returned by the run" when the dataset simply lacks it.
    `skipped`: items that could not be used, counted by reason.
    `items`: how many items the run's dataset held.
    """

    posts: list[ScrapedPost] = field(default_factory=list)
    profiles: dict[str, ScrapedProfile] = field(default_factory=dict)
    returned: set[str] = field(default_factory=set)
    failures: dict[str, str] = field(default_factory=dict)
    skipped: Counter[str] = field(default_factory=Counter)
    items: int = 0


@dataclass(frozen=True)
class ScrapedComment:
    """One comment of a requested post, as one comments run returned it.

    `post_url` is the requested URL of the post it belongs to (how the ingest finds the post's
    creator and campaign); `likes` is None when not reported, never 0 in its place. Text may
    be emoji only; an empty text is kept as None.
    """

    platform: Platform
    comment_id: str
    post_url: str
    text: str | None
    author_username: str | None
    likes: int | None
    posted_at: datetime | None


@dataclass
class CommentResults:
    """A comments run's dataset, parsed: the comments (each once, and at most the run's
    per-post bound per post), the requested post URLs that returned none with the reason, and
    the items skipped, counted by reason."""

    comments: list[ScrapedComment] = field(default_factory=list)
    failures: dict[str, str] = field(default_factory=dict)
    skipped: Counter[str] = field(default_factory=Counter)
    items: int = 0
