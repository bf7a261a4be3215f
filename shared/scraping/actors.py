"""The Apify actors ReachOps runs, per platform, with their documented inputs.

One run carries many usernames of one platform (every actor here accepts a list), which is
what keeps the number of runs, and their per-run overhead, low. A post refresh re-measures
known posts by their own URLs with the platform's posts actor: Instagram's `directUrls`,
TikTok's `postURLs` and YouTube's `startUrls` all take post URLs as well as profiles.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from shared.campaigns.models import Platform
from shared.metrics.definitions import ENGAGEMENT_RATE_WINDOW

POSTS_PER_PROFILE = 30
MAX_USERNAMES_PER_RUN = 100
# Post URLs per refresh run. Each URL is one item to the actors (one page to load), so a run of
# 100 finishes in minutes, far inside the actors' default timeouts, and a failed run retries
# little work; it is the same bound as for usernames, which none of the actors documents above.
MAX_POST_URLS_PER_RUN = 100
# Comments per post a comments run asks for, unless the organization sets its own bound: enough
# to read a post's mood, few enough that a run of 100 posts stays around 10,000 paid items.
DEFAULT_COMMENTS_PER_POST = 100


class ScrapeKind(StrEnum):
    PROFILES = "profiles"
    POSTS = "posts"
    POST_REFRESH = "post_refresh"
    COMMENTS = "comments"


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
    (Platform.INSTAGRAM, ScrapeKind.POST_REFRESH): ActorSpec(
        "apify/instagram-scraper", Platform.INSTAGRAM, ScrapeKind.POST_REFRESH
    ),
    (Platform.TIKTOK, ScrapeKind.POST_REFRESH): ActorSpec(
        "clockworks/tiktok-scraper", Platform.TIKTOK, ScrapeKind.POST_REFRESH
    ),
    (Platform.YOUTUBE, ScrapeKind.POST_REFRESH): ActorSpec(
        "streamers/youtube-scraper", Platform.YOUTUBE, ScrapeKind.POST_REFRESH
    ),
    (Platform.INSTAGRAM, ScrapeKind.COMMENTS): ActorSpec(
        "apify/instagram-scraper", Platform.INSTAGRAM, ScrapeKind.COMMENTS
    ),
    (Platform.TIKTOK, ScrapeKind.COMMENTS): ActorSpec(
        "clockworks/tiktok-comments-scraper", Platform.TIKTOK, ScrapeKind.COMMENTS
    ),
}

SCRAPED_PLATFORMS = frozenset(platform for platform, _ in ACTORS)
COMMENT_PLATFORMS = frozenset(p for p, kind in ACTORS if kind is ScrapeKind.COMMENTS)


def actor_for(platform: Platform, kind: ScrapeKind) -> ActorSpec:
    return ACTORS[(platform, kind)]


def run_input(
    spec: ActorSpec,
    usernames: Sequence[str],
    since: date | None,
    post_urls: Sequence[str] = (),
    comments_per_post: int = DEFAULT_COMMENTS_PER_POST,
) -> dict[str, Any]:
    """The actor's documented input for these usernames (posts newer than `since`), or, for a
    post refresh or a comments run, for these post URLs (at most `comments_per_post` comments
    of each).

    A profile scrape asks for the last ENGAGEMENT_RATE_WINDOW posts too: the engagement rate
    is computed from them. The actors' own date filters are known to miss, so the ingest
    filters by date again. YouTube's actor limits videos, Shorts and streams separately, so a
    run asks for each: a creator's campaign post may be any of them.
    """
    if spec.kind is ScrapeKind.POST_REFRESH:
        return _refresh_input(spec, post_urls)
    if spec.kind is ScrapeKind.COMMENTS:
        return _comments_input(spec, post_urls, comments_per_post)
    limit = ENGAGEMENT_RATE_WINDOW if spec.kind is ScrapeKind.PROFILES else POSTS_PER_PROFILE
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
        return {"usernames": list(usernames)}
    if spec.actor_id == "clockworks/tiktok-scraper":
        body = {"profiles": list(usernames), "resultsPerPage": limit}
        if since_text and spec.kind is ScrapeKind.POSTS:
            body["oldestPostDateUnified"] = since_text
        return body
    if spec.actor_id == "streamers/youtube-scraper":
        return {
            "startUrls": [{"url": f"https://www.youtube.com/@{name}"} for name in usernames],
            "maxResults": limit,
            "maxResultsShorts": limit,
            "maxResultStreams": limit,
        }
    raise ValueError(f"no input builder for {spec.actor_id}")


def _refresh_input(spec: ActorSpec, post_urls: Sequence[str]) -> dict[str, Any]:
    """One item per URL: a limit of 1 per kind keeps a post URL from pulling in anything else."""
    if not post_urls:
        raise ValueError("a post refresh needs post URLs")
    urls = list(post_urls)
    if spec.actor_id == "apify/instagram-scraper":
        return {"directUrls": urls, "resultsType": "posts", "resultsLimit": 1}
    if spec.actor_id == "clockworks/tiktok-scraper":
        return {"postURLs": urls}
    if spec.actor_id == "streamers/youtube-scraper":
        return {
            "startUrls": [{"url": url} for url in urls],
            "maxResults": 1,
            "maxResultsShorts": 1,
            "maxResultStreams": 1,
        }
    raise ValueError(f"no refresh input builder for {spec.actor_id}")


def _comments_input(spec: ActorSpec, post_urls: Sequence[str], per_post: int) -> dict[str, Any]:
    """Instagram's scraper takes post URLs with `resultsType: "comments"` and bounds the
    comments per URL by `resultsLimit`; TikTok's comments actor takes `postURLs` and
    `commentsPerPost`. Replies are not asked for: a reply is a conversation between
    commenters, not their reaction to the post."""
    if not post_urls:
        raise ValueError("a comments run needs post URLs")
    urls = list(post_urls)
    if spec.actor_id == "apify/instagram-scraper":
        return {"directUrls": urls, "resultsType": "comments", "resultsLimit": per_post}
    if spec.actor_id == "clockworks/tiktok-comments-scraper":
        return {"postURLs": urls, "commentsPerPost": per_post, "maxRepliesPerComment": 0}
    raise ValueError(f"no comments input builder for {spec.actor_id}")
