"""Turning monitored creators into as few actor runs as possible: pure functions.

Creators are grouped per platform (and, for posts, per "newer than" date, since a run takes
one date filter), then chunked into runs of at most MAX_USERNAMES_PER_RUN usernames. A job's
id is derived from its content and the 12-hour monitoring slot, so a scheduler firing twice
in one slot plans the same jobs and they are enqueued once.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from shared.campaigns.models import Platform
from shared.scraping.actors import MAX_USERNAMES_PER_RUN, ScrapeKind

SLOT_SECONDS = 12 * 3600


@dataclass(frozen=True)
class MonitoredProfile:
    creator_id: str
    platform: Platform
    username: str
    since: date | None


@dataclass(frozen=True)
class PlannedJob:
    job_id: str
    kind: ScrapeKind
    platform: Platform
    since: date | None
    targets: tuple[MonitoredProfile, ...]


def monitoring_slot(now: datetime) -> int:
    return int(now.timestamp()) // SLOT_SECONDS


def _job_id(
    org_id: str,
    slot: int,
    job: tuple[ScrapeKind, Platform, date | None],
    targets: tuple[MonitoredProfile, ...],
) -> str:
    kind, platform, since = job
    names = ",".join(sorted(t.username for t in targets))
    key = f"{org_id}|{slot}|{kind}|{platform}|{since}|{names}"
    return f"{kind.value}-{platform.value}-{hashlib.sha256(key.encode()).hexdigest()[:20]}"


def _chunks(items: list[MonitoredProfile]) -> list[tuple[MonitoredProfile, ...]]:
    return [
        tuple(items[i : i + MAX_USERNAMES_PER_RUN])
        for i in range(0, len(items), MAX_USERNAMES_PER_RUN)
    ]


def plan_jobs(org_id: str, profiles: list[MonitoredProfile], now: datetime) -> list[PlannedJob]:
    """Posts jobs (per platform and since-date) and profile jobs (per platform)."""
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
            _job_id(org_id, slot, (ScrapeKind.POSTS, platform, since), chunk),
            ScrapeKind.POSTS,
            platform,
            since,
            chunk,
        )
        for (platform, since), group in sorted(
            posts.items(), key=lambda kv: (kv[0][0], kv[0][1] or date.min)
        )
        for chunk in _chunks(group)
    ]
    jobs += [
        PlannedJob(
            _job_id(org_id, slot, (ScrapeKind.PROFILES, platform, None), chunk),
            ScrapeKind.PROFILES,
            platform,
            None,
            chunk,
        )
        for platform, group in sorted(by_platform.items())
        for chunk in _chunks(group)
    ]
    return jobs
