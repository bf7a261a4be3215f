"""Apify actors' dataset items -> ScrapeResults, per actor's documented item format.

Vendor field names stop here: the domain sees ScrapedPost/ScrapedProfile only. Every item is
mapped back to the requested profile it came from, in this order of trust: the requested post
URL (a post-refresh run), the input the actor echoes (`inputUrl`, `input`, `fromYTUrl`), the
owner, then the co-authors. The owner alone is not enough: a brand-owned collab post that lists
the creator as co-author is the creator's post, and a YouTube item may lack `channelUsername`
while its channel URL still names the handle.

An error item (the actors push `{"error": ..., "errorDescription": ...}` for a profile that is
missing, private or blocked) is skipped with the actor's own reason and makes the profile it
names a failure. A hidden count (Instagram reports hidden likes as -1; any actor may send null)
stays None, never 0.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from shared.adapters.apify_urls import post_ref, profile_handle
from shared.campaigns.models import Platform
from shared.ports import RequestedProfile
from shared.scraping.results import ContentType, ScrapedPost, ScrapedProfile, ScrapeResults

NOT_RETURNED = "not returned by the run"
NOT_REQUESTED = "post of a profile that was not requested"
DUPLICATE = "the same post again"
ERROR_REASON_FIELDS = ("errorDescription", "errorMessage", "message")
ERROR_TARGET_FIELDS = ("inputUrl", "input", "url", "username", "profileUrl")


def _hidden_is_none(value: Any) -> Any:
    return None if value is None or (isinstance(value, int) and value < 0) else value


def _null_is_empty(value: Any) -> Any:
    return [] if value is None else value


Count = Annotated[Annotated[int, Field(ge=0)] | None, BeforeValidator(_hidden_is_none)]
Text = Annotated[str, Field(min_length=1)]
Names = Annotated[list[str], BeforeValidator(_null_is_empty)]


class _Item(BaseModel):
    model_config = ConfigDict(extra="ignore")


class _Person(_Item):
    username: str | None = None


class _InstagramPost(_Item):
    id: Text
    short_code: str | None = Field(default=None, alias="shortCode")
    type: str | None = None
    product_type: str | None = Field(default=None, alias="productType")
    input_url: str | None = Field(default=None, alias="inputUrl")
    owner: str | None = Field(default=None, alias="ownerUsername")
    coauthors: Annotated[list[_Person], BeforeValidator(_null_is_empty)] = Field(
        default_factory=list, alias="coauthorProducers"
    )
    url: str | None = None
    caption: str | None = None
    hashtags: Names = Field(default_factory=list)
    mentions: Names = Field(default_factory=list)
    timestamp: datetime | None = None
    likes: Count = Field(default=None, alias="likesCount")
    comments: Count = Field(default=None, alias="commentsCount")
    plays: Count = Field(default=None, alias="videoPlayCount")
    video_views: Count = Field(default=None, alias="videoViewCount")
    paid_partnership: bool | None = Field(default=None, alias="paidPartnership")
    sponsored: bool | None = Field(default=None, alias="isSponsored")
    pinned: bool | None = Field(default=None, alias="isPinned")


class _InstagramProfile(_Item):
    username: Text
    input_url: str | None = Field(default=None, alias="inputUrl")
    followers: Count = Field(default=None, alias="followersCount")
    following: Count = Field(default=None, alias="followsCount")
    posts_count: Count = Field(default=None, alias="postsCount")
    latest_posts: Annotated[list[Any], BeforeValidator(_null_is_empty)] = Field(
        default_factory=list, alias="latestPosts"
    )


class _TikTokAuthor(_Item):
    name: str | None = None
    fans: Count = None
    following: Count = None
    video: Count = None


class _TikTokHashtag(_Item):
    name: str


class _TikTokPost(_Item):
    id: Text
    input: str | None = None
    author: _TikTokAuthor = Field(default_factory=_TikTokAuthor, alias="authorMeta")
    text: str | None = None
    created: datetime | None = Field(default=None, alias="createTimeISO")
    url: str | None = Field(default=None, alias="webVideoUrl")
    likes: Count = Field(default=None, alias="diggCount")
    comments: Count = Field(default=None, alias="commentCount")
    shares: Count = Field(default=None, alias="shareCount")
    views: Count = Field(default=None, alias="playCount")
    hashtags: Annotated[list[_TikTokHashtag], BeforeValidator(_null_is_empty)] = Field(
        default_factory=list
    )
    mentions: Names = Field(default_factory=list)
    is_ad: bool | None = Field(default=None, alias="isAd")
    sponsored: bool | None = Field(default=None, alias="isSponsored")
    pinned: bool | None = Field(default=None, alias="isPinned")
    slideshow: bool | None = Field(default=None, alias="isSlideshow")


class _YouTubeVideo(_Item):
    id: Text
    type: str | None = None
    input: str | None = None
    from_url: str | None = Field(default=None, alias="fromYTUrl")
    channel_username: str | None = Field(default=None, alias="channelUsername")
    channel_url: str | None = Field(default=None, alias="channelUrl")
    title: str | None = None
    text: str | None = None
    url: str | None = None
    date: datetime | None = None
    subscribers: Count = Field(default=None, alias="numberOfSubscribers")
    views: Count = Field(default=None, alias="viewCount")
    likes: Count = None
    comments: Count = Field(default=None, alias="commentsCount")
    hashtags: Names = Field(default_factory=list)
    paid_content: bool | None = Field(default=None, alias="isPaidContent")


@dataclass
class _Run:
    """What the run was asked for, and what its items have said so far."""

    requested: Sequence[RequestedProfile]
    results: ScrapeResults = field(default_factory=ScrapeResults)
    errors: dict[str, str] = field(default_factory=dict)
    seen_posts: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.usernames = {profile_handle(r.username) or r.username.lower() for r in self.requested}
        self.posts = {
            ref: profile_handle(r.username) or r.username.lower()
            for r in self.requested
            if (ref := post_ref(r.post_url))
        }

    def owner_of(
        self,
        post_ids: Iterable[str | None] = (),
        inputs: Iterable[str | None] = (),
        people: Iterable[str | None] = (),
    ) -> str | None:
        """The requested profile an item belongs to, or None."""
        for ref in post_ids:
            if ref and ref in self.posts:
                return self.posts[ref]
        for value in inputs:
            if (ref := post_ref(value)) and ref in self.posts:
                return self.posts[ref]
            if (name := profile_handle(value)) in self.usernames:
                return name
        return next((n for p in people if (n := profile_handle(p)) in self.usernames), None)

    def add_post(self, post: ScrapedPost) -> None:
        self.results.returned.add(post.username)
        if post.platform_post_id in self.seen_posts:
            self.results.skipped[DUPLICATE] += 1
            return
        self.seen_posts.add(post.platform_post_id)
        self.results.posts.append(post)

    def add_profile(self, profile: ScrapedProfile) -> None:
        self.results.returned.add(profile.username)
        self.results.profiles.setdefault(profile.username, profile)


_INSTAGRAM_TYPES = {
    "Image": ContentType.IMAGE,
    "Sidecar": ContentType.CAROUSEL,
    "Video": ContentType.VIDEO,
}


def _tags(values: Iterable[str], prefix: str) -> list[str]:
    return [value.strip().lstrip(prefix) for value in values if value and value.strip()]


def _instagram_post(item: dict[str, Any], run: _Run, parent: str | None = None) -> None:
    post = _InstagramPost.model_validate(item)
    coauthors = [c.username.lower() for c in post.coauthors if c.username]
    username = run.owner_of(
        [post.short_code, post.id, post_ref(post.url)],
        [parent, post.input_url],
        [post.owner, *coauthors],
    )
    if username is None:
        run.results.skipped[NOT_REQUESTED] += 1
        return
    kind = (
        ContentType.REEL
        if post.product_type == "clips"  # a reel; "igtv" and "feed" videos are plain videos
        else _INSTAGRAM_TYPES.get(post.type or "")
    )
    video = kind in (ContentType.REEL, ContentType.VIDEO)
    run.add_post(
        ScrapedPost(
            platform=Platform.INSTAGRAM,
            platform_post_id=post.id,
            username=username,
            author=post.owner.lower() if post.owner else None,
            coauthors=tuple(coauthors),
            url=post.url,
            caption=post.caption,
            hashtags=_tags(post.hashtags, "#"),
            mentions=_tags(post.mentions, "@"),
            posted_at=post.timestamp,
            likes=post.likes,
            comments=post.comments,
            shares=None,
            views=(post.plays if post.plays is not None else post.video_views) if video else None,
            is_paid_partnership=post.paid_partnership,
            is_advertised=post.sponsored,
            is_pinned=post.pinned,
            content_type=kind,
        )
    )


def _instagram_profile(item: dict[str, Any], run: _Run) -> None:
    profile = _InstagramProfile.model_validate(item)
    username = run.owner_of(inputs=[profile.input_url, profile.username])
    if username is None:
        run.results.skipped["profile that was not requested"] += 1
        return
    run.add_profile(
        ScrapedProfile(
            Platform.INSTAGRAM,
            username,
            profile.followers,
            profile.following,
            profile.posts_count,
        )
    )
    for latest in profile.latest_posts:
        _parse(lambda post, run: _instagram_post(post, run, username), latest, run, "latestPosts.")


def _tiktok_post(item: dict[str, Any], run: _Run) -> None:
    post = _TikTokPost.model_validate(item)
    author = post.author.name.lower() if post.author.name else None
    username = run.owner_of([post.id], [post.input], [author])
    if username is None:
        run.results.skipped[NOT_REQUESTED] += 1
        return
    run.add_post(
        ScrapedPost(
            platform=Platform.TIKTOK,
            platform_post_id=post.id,
            username=username,
            author=author,
            coauthors=(),
            url=post.url,
            caption=post.text,
            hashtags=_tags((tag.name for tag in post.hashtags), "#"),
            mentions=_tags(post.mentions, "@"),
            posted_at=post.created,
            likes=post.likes,
            comments=post.comments,
            shares=post.shares,
            views=post.views,
            is_paid_partnership=post.sponsored,
            is_advertised=post.is_ad,
            is_pinned=post.pinned,
            content_type=ContentType.CAROUSEL if post.slideshow else ContentType.VIDEO,
        )
    )
    if author == username:
        meta = post.author
        run.add_profile(
            ScrapedProfile(Platform.TIKTOK, username, meta.fans, meta.following, meta.video)
        )


def _youtube_video(item: dict[str, Any], run: _Run) -> None:
    video = _YouTubeVideo.model_validate(item)
    author = profile_handle(video.channel_username) or profile_handle(video.channel_url)
    username = run.owner_of([video.id], [video.input, video.from_url], [author])
    if username is None:
        run.results.skipped[NOT_REQUESTED] += 1
        return
    kinds = {"shorts": ContentType.SHORT, "stream": ContentType.STREAM, "video": ContentType.VIDEO}
    kind = kinds.get(video.type or "")
    if kind is None and video.url and "/shorts/" in video.url:
        kind = ContentType.SHORT
    caption = "\n".join(part for part in (video.title, video.text) if part)
    run.add_post(
        ScrapedPost(
            platform=Platform.YOUTUBE,
            platform_post_id=video.id,
            username=username,
            author=author,
            coauthors=(),
            url=video.url,
            caption=caption or None,
            hashtags=_tags(video.hashtags, "#"),
            mentions=[],
            posted_at=video.date,
            likes=video.likes,
            comments=video.comments,
            shares=None,
            views=video.views,
            is_paid_partnership=video.paid_content,
            is_advertised=None,
            is_pinned=None,
            content_type=kind,
        )
    )
    if author in (None, username):
        run.add_profile(ScrapedProfile(Platform.YOUTUBE, username, video.subscribers, None, None))


Parser = Callable[[dict[str, Any], _Run], None]
PARSERS: dict[str, Parser] = {
    "apify/instagram-scraper": _instagram_post,
    "apify/instagram-profile-scraper": _instagram_profile,
    "clockworks/tiktok-scraper": _tiktok_post,
    "streamers/youtube-scraper": _youtube_video,
}


def error_reason(item: dict[str, Any]) -> str | None:
    """The actor's own words for an error item; None for an item that is not one."""
    code = item.get("error")
    if code in (None, False, "") or item.get("id"):
        return None
    described = next((item[k] for k in ERROR_REASON_FIELDS if isinstance(item.get(k), str)), None)
    code_text = code if isinstance(code, str) else None
    if described and code_text:
        return f"{described} ({code_text})"
    return described or code_text or "error item without a reason"


def _on_error(item: dict[str, Any], reason: str, run: _Run) -> None:
    """Counted as skipped with the actor's reason; the requested profile (or post) it names,
    if any, is a failure unless other items of the run returned it."""
    run.results.skipped[f"actor error: {reason}"] += 1
    values = [item.get(key) for key in ERROR_TARGET_FIELDS]
    named = run.owner_of(inputs=[value for value in values if isinstance(value, str)])
    if named is not None:
        run.errors.setdefault(named, reason)


def _parse(parse: Parser, item: Any, run: _Run, where_prefix: str = "") -> None:
    if not isinstance(item, dict):
        run.results.skipped[f"{where_prefix}item is not an object"] += 1
        return
    if (reason := error_reason(item)) is not None:
        _on_error(item, reason, run)
        return
    try:
        parse(item, run)
    except ValidationError as exc:
        error = exc.errors()[0]
        where = ".".join(str(part) for part in error["loc"]) or "item"
        run.results.skipped[f"{where_prefix}{where}: {error['msg']}"] += 1


def parse_results(
    actor_id: str, items: Iterable[Any], requested: Sequence[RequestedProfile]
) -> ScrapeResults:
    """Every item of one run's dataset, mapped to the profiles the run was asked for."""
    parse = PARSERS[actor_id]
    run = _Run(requested)
    for item in items:
        run.results.items += 1
        _parse(parse, item, run)
    for username in sorted(run.usernames - run.results.returned):
        run.results.failures[username] = run.errors.get(username, NOT_RETURNED)
    return run.results
