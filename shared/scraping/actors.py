"""The Apify actors ReachOps runs, per platform, with their documented inputs.

One run carries many usernames of one platform (every actor here accepts a list), which is
what keeps the number of runs, and their per-run overhead, low.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from shared.campaigns.models import Platform

POSTS_PER_PROFILE = 30
ENGAGEMENT_WINDOW_POSTS = 12
MAX_USERNAMES_PER_RUN = 100


class ScrapeKind(StrEnum):
    PROFILES = "profiles"
    POSTS = "posts"
    POST_REFRESH = "post_refresh"


@dataclass(frozen=True)
class ActorSpec:
    actor_id: str
    platform: Platform
    kind: ScrapeKind


ACTORS: dict[tuple[Platform, ScrapeKind], ActorSpec] = {
    (Platform.INSTAGRAM, ScrapeKind.POSTS): ActorSpec(
        "apify/instagram-scraper", Platform.INSTAGRAM, ScrapeKind.POSTS
    ),
    (Platform.INSTAGRAM, ScrapeKind.PROFILES): ActorSpec(
        "apify/instagram-profile-scraper", Platform.INSTAGRAM, ScrapeKind.PROFILES
    ),
    (Platform.TIKTOK, ScrapeKind.POSTS): ActorSpec(
        "clockworks/tiktok-scraper", Platform.TIKTOK, ScrapeKind.POSTS
    ),
    (Platform.TIKTOK, ScrapeKind.PROFILES): ActorSpec(
        "clockworks/tiktok-scraper", Platform.TIKTOK, ScrapeKind.PROFILES
    ),
    (Platform.YOUTUBE, ScrapeKind.POSTS): ActorSpec(
        "streamers/youtube-scraper", Platform.YOUTUBE, ScrapeKind.POSTS
    ),
    (Platform.YOUTUBE, ScrapeKind.PROFILES): ActorSpec(
        "streamers/youtube-scraper", Platform.YOUTUBE, ScrapeKind.PROFILES
    ),
}

SCRAPED_PLATFORMS = frozenset(platform for platform, _ in ACTORS)


def actor_for(platform: Platform, kind: ScrapeKind) -> ActorSpec:
    return ACTORS[(platform, kind)]


def run_input(spec: ActorSpec, usernames: list[str], since: date | None) -> dict[str, Any]:
    """The actor's documented input for these usernames (posts newer than `since`).

    A profile scrape asks for the last ENGAGEMENT_WINDOW_POSTS posts too: the engagement rate
    is computed from them. The actors' own date filters are known to miss, so the ingest
    filters by date again.
    """
    limit = ENGAGEMENT_WINDOW_POSTS if spec.kind is ScrapeKind.PROFILES else POSTS_PER_PROFILE
    since_text = since.isoformat() if since else None
    if spec.actor_id == "apify/instagram-scraper":
        body: dict[str, Any] = {
            "directUrls": [f"https://www.instagram.com/{name}/" for name in usernames],
            "resultsType": "posts",
            "resultsLimit": limit,
        }
        if since_text:
            body["onlyPostsNewerThan"] = since_text
        return body
    if spec.actor_id == "apify/instagram-profile-scraper":
        return {"usernames": usernames}
    if spec.actor_id == "clockworks/tiktok-scraper":
        body = {"profiles": usernames, "resultsPerPage": limit}
        if since_text and spec.kind is ScrapeKind.POSTS:
            body["oldestPostDateUnified"] = since_text
        return body
    if spec.actor_id == "streamers/youtube-scraper":
        return {
            "startUrls": [{"url": f"https://www.youtube.com/@{name}"} for name in usernames],
            "maxResults": limit,
        }
    raise ValueError(f"no input builder for {spec.actor_id}")
