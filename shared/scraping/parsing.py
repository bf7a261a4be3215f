"""Actor dataset items -> posts and profile numbers, per actor's documented item format.

A malformed item is skipped and counted with its reason; the rest are kept. A hidden count
(Instagram reports hidden likes as -1; any actor may send null) stays None, never 0.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated, Any

from pydantic import AliasChoices, BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from shared.campaigns.models import Platform


def _hidden_is_none(value: Any) -> Any:
    return None if value is None or (isinstance(value, int) and value < 0) else value


Count = Annotated[Annotated[int, Field(ge=0)] | None, BeforeValidator(_hidden_is_none)]
Text = Annotated[str, Field(min_length=1)]


@dataclass(frozen=True)
class ScrapedPost:
    platform: Platform
    platform_post_id: str
    username: str
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


@dataclass(frozen=True)
class ScrapedProfile:
    platform: Platform
    username: str
    followers: int | None
    following: int | None
    posts_count: int | None


@dataclass
class ParsedDataset:
    posts: list[ScrapedPost] = field(default_factory=list)
    profiles: dict[str, ScrapedProfile] = field(default_factory=dict)
    skipped: Counter[str] = field(default_factory=Counter)


class _Item(BaseModel):
    model_config = ConfigDict(extra="ignore")


class _InstagramPost(_Item):
    id: Text
    owner_username: Text = Field(alias="ownerUsername")
    url: str | None = None
    caption: str | None = None
    hashtags: list[str] = Field(default_factory=list)
    mentions: list[str] = Field(default_factory=list)
    timestamp: datetime | None = None
    likes: Count = Field(default=None, alias="likesCount")
    comments: Count = Field(default=None, alias="commentsCount")
    views: Count = Field(
        default=None, validation_alias=AliasChoices("videoViewCount", "videoPlayCount")
    )
    paid_partnership: bool | None = Field(default=None, alias="paidPartnership")
    sponsored: bool | None = Field(default=None, alias="isSponsored")


class _InstagramProfile(_Item):
    username: Text
    followers: Count = Field(default=None, alias="followersCount")
    following: Count = Field(default=None, alias="followsCount")
    posts_count: Count = Field(default=None, alias="postsCount")


class _TikTokAuthor(_Item):
    name: Text
    fans: Count = None
    following: Count = None
    video: Count = None


class _TikTokHashtag(_Item):
    name: str


class _TikTokPost(_Item):
    id: Text
    text: str | None = None
    created: datetime | None = Field(default=None, alias="createTimeISO")
    author: _TikTokAuthor = Field(alias="authorMeta")
    likes: Count = Field(default=None, alias="diggCount")
    comments: Count = Field(default=None, alias="commentCount")
    shares: Count = Field(default=None, alias="shareCount")
    views: Count = Field(default=None, alias="playCount")
    hashtags: list[_TikTokHashtag] = Field(default_factory=list)
    mentions: list[str] = Field(default_factory=list)
    url: str | None = Field(default=None, alias="webVideoUrl")
    is_ad: bool | None = Field(default=None, alias="isAd")


class _YouTubeVideo(_Item):
    id: Text
    title: str | None = None
    text: str | None = None
    url: str | None = None
    date: datetime | None = None
    channel_username: Text = Field(alias="channelUsername")
    subscribers: Count = Field(default=None, alias="numberOfSubscribers")
    views: Count = Field(default=None, alias="viewCount")
    likes: Count = None
    comments: Count = Field(default=None, alias="commentsCount")
    hashtags: list[str] = Field(default_factory=list)


def _tags(values: Iterable[str], prefix: str) -> list[str]:
    return [value.strip().lstrip(prefix) for value in values if value and value.strip()]


def _instagram_post(item: dict[str, Any], parsed: ParsedDataset) -> None:
    post = _InstagramPost.model_validate(item)
    paid = True if (post.paid_partnership or post.sponsored) else post.paid_partnership
    parsed.posts.append(
        ScrapedPost(
            Platform.INSTAGRAM,
            post.id,
            post.owner_username.lower(),
            post.url,
            post.caption,
            _tags(post.hashtags, "#"),
            _tags(post.mentions, "@"),
            post.timestamp,
            post.likes,
            post.comments,
            None,
            post.views,
            paid,
        )
    )


def _instagram_profile(item: dict[str, Any], parsed: ParsedDataset) -> None:
    profile = _InstagramProfile.model_validate(item)
    name = profile.username.lower()
    parsed.profiles[name] = ScrapedProfile(
        Platform.INSTAGRAM, name, profile.followers, profile.following, profile.posts_count
    )


def _tiktok_post(item: dict[str, Any], parsed: ParsedDataset) -> None:
    post = _TikTokPost.model_validate(item)
    name = post.author.name.lower()
    parsed.posts.append(
        ScrapedPost(
            Platform.TIKTOK,
            post.id,
            name,
            post.url,
            post.text,
            _tags((tag.name for tag in post.hashtags), "#"),
            _tags(post.mentions, "@"),
            post.created,
            post.likes,
            post.comments,
            post.shares,
            post.views,
            post.is_ad,
        )
    )
    parsed.profiles[name] = ScrapedProfile(
        Platform.TIKTOK, name, post.author.fans, post.author.following, post.author.video
    )


def _youtube_video(item: dict[str, Any], parsed: ParsedDataset) -> None:
    video = _YouTubeVideo.model_validate(item)
    name = video.channel_username.lower().lstrip("@")
    caption = "\n".join(part for part in (video.title, video.text) if part)
    parsed.posts.append(
        ScrapedPost(
            Platform.YOUTUBE,
            video.id,
            name,
            video.url,
            caption or None,
            _tags(video.hashtags, "#"),
            [],
            video.date,
            video.likes,
            video.comments,
            None,
            video.views,
            None,
        )
    )
    parsed.profiles[name] = ScrapedProfile(Platform.YOUTUBE, name, video.subscribers, None, None)


PARSERS = {
    "apify/instagram-scraper": _instagram_post,
    "apify/instagram-profile-scraper": _instagram_profile,
    "clockworks/tiktok-scraper": _tiktok_post,
    "streamers/youtube-scraper": _youtube_video,
}


def parse_items(actor_id: str, items: Iterable[Any]) -> ParsedDataset:
    parse = PARSERS[actor_id]
    parsed = ParsedDataset()
    for item in items:
        if not isinstance(item, dict):
            parsed.skipped["item is not an object"] += 1
            continue
        try:
            parse(item, parsed)
        except ValidationError as exc:
            error = exc.errors()[0]
            where = ".".join(str(part) for part in error["loc"]) or "item"
            parsed.skipped[f"{where}: {error['msg']}"] += 1
    return parsed
