"""Turning monitored creators and campaign posts into as few actor runs as possible: pure
functions.

Creators are grouped per platform (and, for posts, per "newer than" date, since a run takes
one date filter), then chunked into runs of at most MAX_USERNAMES_PER_RUN usernames. Campaign
posts whose refresh window is open are re-measured by their own URLs, deduplicated across
campaigns and chunked per platform into runs of at most MAX_POST_URLS_PER_RUN URLs. A job's id
is derived from its content and the 12-hour monitoring slot, so a scheduler firing twice in
one slot plans the same jobs and they are enqueued once.

A refresh is a run of its own rather than URLs added to the posts run: a posts run carries a
date filter (the actors' and ReachOps' own at ingest) that would drop an older post asked for
by URL, and a separate run costs at most one more run per platform and pass. The comments of
the same open posts are read by a comments run per platform (Instagram's and TikTok's comment
actors), batched the same way and bounded per post by the organization's setting.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TypeVar
from zoneinfo import ZoneInfo

from shared.campaigns.models import Platform
from shared.scraping.actors import (
    COMMENT_PLATFORMS,
    MAX_POST_URLS_PER_RUN,
    MAX_USERNAMES_PER_RUN,
    ScrapeKind,
)
from shared.scraping.models import ScrapeTarget

SLOT_SECONDS = 12 * 3600
DEFAULT_REFRESH_DAYS = 30
TAIL_AFTER_END_DAYS = 7
T = TypeVar("T")


@dataclass(frozen=True)
class MonitoredProfile:
    creator_id: str
    platform: Platform
    username: str
    since: date | None


@dataclass(frozen=True)
class RefreshPost:
    """A campaign post to measure again by its URL while `until` is in the future."""

    creator_id: str
    platform: Platform
    username: str
    post_key: str
    url: str
    until: datetime
    campaign_id: str | None = None


@dataclass(frozen=True)
class PlannedJob:
    job_id: str
    kind: ScrapeKind
    platform: Platform
    since: date | None
    targets: tuple[ScrapeTarget, ...]
    comments_per_post: int | None = None


def monitoring_slot(now: datetime) -> int:
    return int(now.timestamp()) // SLOT_SECONDS


def flight_end(end_date: date, timezone: str) -> datetime:
    """The instant a campaign's last day ends, in the campaign's own time zone."""
    return datetime.combine(end_date + timedelta(days=1), time.min, ZoneInfo(timezone))


def refresh_until(
    posted_at: datetime | None, end_date: date | None, timezone: str, days: int
) -> datetime | None:
    """When a campaign post stops being re-measured: `days` after it was posted or
    TAIL_AFTER_END_DAYS full days past the campaign's end date (in its time zone), whichever is
    later.

    That reads "a configurable number of days after posting, and at least 7 days past the end
    date" as two floors: every post is measured for the whole flight and a tail after it, a
    late post for its full `days`, an early one at least until a week past the end. A post
    with no known posting time has only the end-date rule; one with neither is not refreshed.
    """
    limits = []
    if posted_at is not None:
        limits.append(posted_at.astimezone(UTC) + timedelta(days=days))
    if end_date is not None:
        tail = flight_end(end_date, timezone) + timedelta(days=TAIL_AFTER_END_DAYS)
        limits.append(tail.astimezone(UTC))
    return max(limits) if limits else None


def _job_id(
    org_id: str,
    slot: int,
    job: tuple[ScrapeKind, Platform, date | None],
    keys: Sequence[str],
) -> str:
    kind, platform, since = job
    names = ",".join(sorted(keys))
    key = f"{org_id}|{slot}|{kind}|{platform}|{since}|{names}"
    return f"{kind.value}-{platform.value}-{hashlib.sha256(key.encode()).hexdigest()[:20]}"


def _chunks(items: Sequence[T], size: int) -> list[tuple[T, ...]]:
    return [tuple(items[i : i + size]) for i in range(0, len(items), size)]


def _profile_target(profile: MonitoredProfile) -> ScrapeTarget:
    return ScrapeTarget(creator_id=profile.creator_id, username=profile.username)


def _post_target(post: RefreshPost) -> ScrapeTarget:
    return ScrapeTarget(
        creator_id=post.creator_id,
        username=post.username,
        post_url=post.url,
        post_key=post.post_key,
        campaign_id=post.campaign_id,
    )


def plan_jobs(
    org_id: str,
    profiles: Sequence[MonitoredProfile],
    now: datetime,
    refresh: Sequence[RefreshPost] = (),
    comments_per_post: int | None = None,
) -> list[PlannedJob]:
    """Posts jobs (per platform and since-date), profile jobs (per platform), and post-refresh
    and, given a per-post bound, comments jobs (per platform, for the posts whose window is
    still open at `now`)."""
    # A creator monitored for two campaigns is scraped once, from the earlier date (or from
    # the start, when one campaign has never collected it).
    latest_first = sorted(profiles, key=lambda p: p.since or date.min, reverse=True)
    unique = {(p.platform, p.username): p for p in latest_first}
    slot = monitoring_slot(now)
    posts: dict[tuple[Platform, date | None], list[MonitoredProfile]] = defaultdict(list)
    by_platform: dict[Platform, list[MonitoredProfile]] = defaultdict(list)
    for profile in sorted(unique.values(), key=lambda p: (p.platform, p.username)):
        posts[(profile.platform, profile.since)].append(profile)
        by_platform[profile.platform].append(profile)
    jobs = [
        PlannedJob(
            _job_id(org_id, slot, (ScrapeKind.POSTS, platform, since), [p.username for p in chunk]),
            ScrapeKind.POSTS,
            platform,
            since,
            tuple(_profile_target(p) for p in chunk),
        )
        for (platform, since), group in sorted(
            posts.items(), key=lambda kv: (kv[0][0], kv[0][1] or date.min)
        )
        for chunk in _chunks(group, MAX_USERNAMES_PER_RUN)
    ]
    jobs += [
        PlannedJob(
            _job_id(
                org_id, slot, (ScrapeKind.PROFILES, platform, None), [p.username for p in chunk]
            ),
            ScrapeKind.PROFILES,
            platform,
            None,
            tuple(_profile_target(p) for p in chunk),
        )
        for platform, group in sorted(by_platform.items())
        for chunk in _chunks(group, MAX_USERNAMES_PER_RUN)
    ]
    open_posts = _open_posts(refresh, now)
    return (
        jobs
        + _refresh_jobs(org_id, slot, open_posts)
        + (_comment_jobs(org_id, slot, open_posts, comments_per_post) if comments_per_post else [])
    )


def _open_posts(refresh: Sequence[RefreshPost], now: datetime) -> dict[Platform, list[RefreshPost]]:
    """The posts whose window is open, per platform. A post in two campaigns is read once, for
    as long as either campaign needs it (and its comments count for the campaign whose window
    closes last, the earlier campaign id on a tie)."""
    open_posts: dict[tuple[Platform, str], RefreshPost] = {}
    for post in sorted(refresh, key=lambda p: (p.until, p.campaign_id or ""), reverse=True):
        if post.until > now:
            open_posts.setdefault((post.platform, post.post_key), post)
    by_platform: dict[Platform, list[RefreshPost]] = defaultdict(list)
    for key in sorted(open_posts):
        by_platform[key[0]].append(open_posts[key])
    return by_platform


def _comment_jobs(
    org_id: str, slot: int, by_platform: dict[Platform, list[RefreshPost]], per_post: int
) -> list[PlannedJob]:
    """The comments of the same open posts, on the platforms with a comments actor, batched
    like a refresh; the bound is part of the job's identity, so a changed setting plans anew."""
    return [
        PlannedJob(
            _job_id(
                org_id,
                slot,
                (ScrapeKind.COMMENTS, platform, None),
                [p.post_key for p in chunk] + [f"per_post={per_post}"],
            ),
            ScrapeKind.COMMENTS,
            platform,
            None,
            tuple(_post_target(p) for p in chunk),
            comments_per_post=per_post,
        )
        for platform, group in sorted(by_platform.items())
        if platform in COMMENT_PLATFORMS
        for chunk in _chunks(group, MAX_POST_URLS_PER_RUN)
    ]


def _refresh_jobs(
    org_id: str, slot: int, by_platform: dict[Platform, list[RefreshPost]]
) -> list[PlannedJob]:
    return [
        PlannedJob(
            _job_id(
                org_id,
                slot,
                (ScrapeKind.POST_REFRESH, platform, None),
                [p.post_key for p in chunk],
            ),
            ScrapeKind.POST_REFRESH,
            platform,
            None,
            tuple(_post_target(p) for p in chunk),
        )
        for platform, group in sorted(by_platform.items())
        for chunk in _chunks(group, MAX_POST_URLS_PER_RUN)
    ]
