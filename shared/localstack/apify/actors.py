"""The actors the stand-in replays: their specs, their documented inputs, and what each input
asks for (a profile to scrape, or one post by URL)."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

from shared.localstack.apify.common import APIFY_ID, ApiError, chars, invalid_input

PROFILE_URL = {
    "instagram": "https://www.instagram.com/{}/",
    "tiktok": "https://www.tiktok.com/@{}",
    "youtube": "https://www.youtube.com/@{}",
}


@dataclass(frozen=True)
class Target:
    """One input of a run: a profile (`username`) or a post (`post_key`, with the handle its
    URL names, if it names one). `given` is the input exactly as the caller wrote it."""

    given: str
    username: str | None
    post_key: str | None = None


@dataclass(frozen=True)
class ActorSpec:
    username: str
    name: str
    title: str
    sample: str  # file in apify_samples/
    platform: str  # seeds ids, so both Instagram actors give a post the same id
    owner_path: tuple[str, ...]  # where a sample item names its creator
    targets: Callable[[Mapping[str, Any]], list[Target]]
    limit_field: str | None = None
    date_field: str | None = None
    pricing: str = "usage"  # usage | per_item | per_event
    unit_name: str = "result"
    price_per_unit_usd: float = 0.0
    # (item type, input field, limit when the field is absent; None = no limit): a separate
    # limit per kind of item (YouTube's videos, Shorts and streams).
    type_limits: tuple[tuple[str, str, int | None], ...] = ()

    @property
    def ref(self) -> str:
        return f"{self.username}~{self.name}"

    @property
    def id(self) -> str:
        return chars(APIFY_ID, 17, "actor", self.ref)


def _str_list(run_input: Mapping[str, Any], key: str, required: bool = True) -> list[str]:
    value = run_input.get(key)
    if value is None and not required:
        return []
    if not isinstance(value, list) or (required and not value):
        raise invalid_input(f"Field input.{key} is required and must be a non-empty array")
    if not all(isinstance(v, str) and v.strip() for v in value):
        raise invalid_input(f"Items of input.{key} must be non-empty strings")
    return [v.strip() for v in value]


def _url_parts(value: str, host: str) -> tuple[list[str], dict[str, list[str]]]:
    url = urlsplit(value)
    if not url.hostname or not url.hostname.endswith(host):
        raise invalid_input(f"{value!r} is not a {host} URL")
    return [p for p in url.path.split("/") if p], parse_qs(url.query)


def _plain_handle(value: str) -> str:
    return value.lstrip("@").strip("/").lower()


def _instagram_target(value: str) -> Target:
    if "://" not in value:
        return Target(value, _plain_handle(value))
    parts, _ = _url_parts(value, "instagram.com")
    if len(parts) >= 2 and parts[0] in {"p", "reel", "reels", "tv"}:
        return Target(value, None, parts[1])
    if len(parts) >= 3 and parts[1] in {"p", "reel"}:
        return Target(value, parts[0].lower(), parts[2])
    if not parts or parts[0] in {"explore", "stories", "accounts"}:
        raise invalid_input(f"{value!r}: this local stand-in replays profile and post URLs only")
    return Target(value, parts[0].lower())


def _instagram_posts_targets(run_input: Mapping[str, Any]) -> list[Target]:
    kind = run_input.get("resultsType", "posts")
    if kind not in ("posts", "comments"):
        raise invalid_input("this local stand-in supports resultsType 'posts' and 'comments' only")
    targets = [_instagram_target(u) for u in _str_list(run_input, "directUrls")]
    if kind == "comments" and any(t.post_key is None for t in targets):
        raise invalid_input("resultsType 'comments' needs post URLs in directUrls")
    return targets


def _instagram_profile_targets(run_input: Mapping[str, Any]) -> list[Target]:
    out = []
    for value in _str_list(run_input, "usernames"):
        target = _instagram_target(value)
        if target.post_key is not None:
            raise invalid_input(f"{value!r} is a post, not a profile")
        out.append(target)
    return out


def _tiktok_video(value: str) -> Target:
    parts, _ = _url_parts(value, "tiktok.com")
    if len(parts) != 3 or not parts[0].startswith("@") or parts[1] not in {"video", "photo"}:
        raise invalid_input(
            f"{value!r} is not a video URL like https://www.tiktok.com/@user/video/id"
        )
    return Target(value, parts[0][1:].lower(), parts[2])


def _tiktok_targets(run_input: Mapping[str, Any]) -> list[Target]:
    profiles = _str_list(run_input, "profiles", required=False)
    videos = _str_list(run_input, "postURLs", required=False)
    if not profiles and not videos:
        raise invalid_input("Field input.profiles or input.postURLs must be a non-empty array")
    targets = [Target(p, _plain_handle(p.rsplit("@", 1)[-1])) for p in profiles]
    return targets + [_tiktok_video(v) for v in videos]


def _tiktok_comment_targets(run_input: Mapping[str, Any]) -> list[Target]:
    return [_tiktok_video(v) for v in _str_list(run_input, "postURLs")]


def _youtube_target(value: str) -> Target:
    parts, query = _url_parts(value, "youtu.be" if "youtu.be" in value else "youtube.com")
    if "youtu.be" in value and parts:
        return Target(value, None, parts[0])
    if parts[:1] == ["watch"] and query.get("v"):
        return Target(value, None, query["v"][0])
    if len(parts) == 2 and parts[0] == "shorts":
        return Target(value, None, parts[1])
    if parts and parts[0].startswith("@"):
        return Target(value, parts[0][1:].lower())
    raise invalid_input(
        f"{value!r}: startUrls must be channel URLs like https://www.youtube.com/@handle "
        "or video URLs (watch?v=id, shorts/id)"
    )


def _youtube_targets(run_input: Mapping[str, Any]) -> list[Target]:
    start_urls = run_input.get("startUrls")
    if not isinstance(start_urls, list) or not start_urls:
        raise invalid_input("Field input.startUrls is required and must be a non-empty array")
    urls = [u.get("url") if isinstance(u, dict) else u for u in start_urls]
    if not all(isinstance(u, str) and u.strip() for u in urls):
        raise invalid_input("Items of input.startUrls must be URLs or {url} objects")
    return [_youtube_target(str(u).strip()) for u in urls]


ACTORS: tuple[ActorSpec, ...] = (
    ActorSpec(
        "apify",
        "instagram-scraper",
        "Instagram Scraper",
        "instagram-scraper.json",
        "instagram",
        ("ownerUsername",),
        _instagram_posts_targets,
        "resultsLimit",
        "onlyPostsNewerThan",
        "per_item",
        "result",
        0.0023,
    ),
    ActorSpec(
        "apify",
        "instagram-profile-scraper",
        "Instagram Profile Scraper",
        "instagram-profile-scraper.json",
        "instagram",
        ("username",),
        _instagram_profile_targets,
        pricing="per_item",
        unit_name="profile",
        price_per_unit_usd=0.0026,
    ),
    ActorSpec(
        "clockworks",
        "tiktok-scraper",
        "TikTok Scraper",
        "tiktok-scraper.json",
        "tiktok",
        ("authorMeta", "name"),
        _tiktok_targets,
        "resultsPerPage",
        "oldestPostDateUnified",
        "per_event",
    ),
    ActorSpec(
        "streamers",
        "youtube-scraper",
        "YouTube Scraper",
        "youtube-scraper.json",
        "youtube",
        ("channelUsername",),
        _youtube_targets,
        type_limits=(
            ("video", "maxResults", None),
            ("shorts", "maxResultsShorts", 0),
            ("stream", "maxResultStreams", 0),
        ),
    ),
    ActorSpec(
        "clockworks",
        "tiktok-comments-scraper",
        "TikTok Comments Scraper",
        "tiktok-scraper.json",  # the posts whose comments it reads
        "tiktok",
        ("authorMeta", "name"),
        _tiktok_comment_targets,
        "commentsPerPost",
        pricing="per_item",
        unit_name="comment",
        price_per_unit_usd=0.0005,
    ),
)


def find_actor(reference: str) -> ActorSpec:
    """`user~name`, `user/name` (URL-decoded) or the actor id."""
    wanted = reference.replace("/", "~")
    for spec in ACTORS:
        if wanted in (spec.ref, spec.id):
            return spec
    raise ApiError(404, "record-not-found", "Actor was not found")


def count_limit(run_input: Mapping[str, Any], key: str | None, minimum: int = 1) -> int | None:
    if key is None or run_input.get(key) is None:
        return None
    value = run_input[key]
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
        raise invalid_input(f"input.{key} must be an integer of at least {minimum}")
    return value


_RELATIVE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(hour|day|week|month|year)s?\s*$", re.IGNORECASE)
_UNIT_DAYS = {"hour": 1 / 24, "day": 1, "week": 7, "month": 30, "year": 365}


def max_age_days(value: Any, now: datetime, field_name: str) -> float | None:
    """A date filter (ISO date or datetime, `N days`-style, or a bare number of days) as the
    age in days of the oldest post it asks for."""
    if value in (None, ""):
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str):
        if match := _RELATIVE.match(value):
            return float(match.group(1)) * _UNIT_DAYS[match.group(2).lower()]
        if value.strip().isdigit():
            return float(value)
        try:
            moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            pass
        else:
            moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
            return (now - moment).total_seconds() / 86400
    raise invalid_input(f"input.{field_name} must be a date, a datetime or e.g. '7 days'")
