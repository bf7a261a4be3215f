"""Sample items rendered for the accounts and posts a run asks for.

Each post was published `_daysAgo` days before the world's epoch (the server's start), so its
date is fixed and its age grows with the clock; its counts follow `growth`. A profile lists
pinned posts first, then the rest newest first, as the real feeds do. Date filters let one
older post through, as the real actors are known to, so callers must filter too. A post URL
returns exactly the item the profile scrape renders for that post (same ids, same counts at
the same moment), with the actor's own input field naming the URL.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from shared.localstack.apify.actors import (
    ACTORS,
    PROFILE_URL,
    ActorSpec,
    Target,
    count_limit,
    max_age_days,
)
from shared.localstack.apify.catalog import (
    World,
    creator_templates,
    error_template,
    post_key,
    sample_creator,
    template_creator,
)
from shared.localstack.apify.comments import is_comments_run, render_comments
from shared.localstack.apify.common import IG_SHORTCODE, chars, digits, iso
from shared.localstack.apify.growth import age_days, grow_counts

LATEST_POSTS = 12
YOUTUBE_TAB = {"video": "videos", "shorts": "shorts", "stream": "streams"}


def _display_name(account: str, template_name: Any, template_owner: str) -> Any:
    if account == template_owner:
        return template_name
    return " ".join(w.capitalize() for w in re.split(r"[._\-]+", account) if w) or account


def _instagram_user_id(account: str) -> str:
    return digits(11, "instagram-user", account)


def _dated(spec: ActorSpec, item: dict[str, Any], world: World, now: datetime) -> datetime:
    """Pop the sample-only fields, grow the counts to the post's age; the publish time."""
    days = float(item.pop("_daysAgo"))
    item.pop("_scrapedFrom", None)
    posted = world.epoch - timedelta(days=days)
    grow_counts(item, spec.platform, days, age_days(posted, now))
    return posted


def _instagram_post(
    spec: ActorSpec, item: dict[str, Any], account: str, index: int, ctx: tuple[World, datetime]
) -> dict[str, Any]:
    world, now = ctx
    creator = sample_creator(item, spec.owner_path)
    posted = _dated(spec, item, world, now)
    code = post_key("instagram", account, index)
    item.update(
        id=digits(19, "instagram-post", account, str(index)),
        shortCode=code,
        url=f"https://www.instagram.com/p/{code}/",
        timestamp=iso(posted),
    )
    for n, child in enumerate(item.get("childPosts") or []):
        child_code = chars(IG_SHORTCODE, 11, "instagram-child", account, str(index), str(n))
        child.update(
            id=digits(19, "instagram-child", account, str(index), str(n)),
            shortCode=child_code,
            url=f"https://www.instagram.com/p/{child_code}/",
        )
    if item["ownerUsername"] != creator:  # a collab post: the brand owns it
        item["ownerId"] = _instagram_user_id(item["ownerUsername"])
        for coauthor in item.get("coauthorProducers") or []:
            coauthor.update(id=_instagram_user_id(account), username=account)
        return item
    item.update(
        ownerFullName=_display_name(account, item.get("ownerFullName"), creator),
        ownerUsername=account,
        ownerId=_instagram_user_id(account),
    )
    return item


def _tiktok_video(
    spec: ActorSpec, item: dict[str, Any], account: str, index: int, ctx: tuple[World, datetime]
) -> dict[str, Any]:
    world, now = ctx
    creator = sample_creator(item, spec.owner_path)
    posted = _dated(spec, item, world, now).replace(microsecond=0)
    video_id = post_key("tiktok", account, index)
    item["authorMeta"].update(
        id="6" + digits(18, "tiktok-user", account),
        nickName=_display_name(account, item["authorMeta"].get("nickName"), creator),
        name=account,
        profileUrl=f"https://www.tiktok.com/@{account}",
    )
    item.update(
        id=video_id,
        createTime=int(posted.timestamp()),
        createTimeISO=iso(posted),
        webVideoUrl=f"https://www.tiktok.com/@{account}/video/{video_id}",
    )
    return item


def _youtube_video(
    spec: ActorSpec, item: dict[str, Any], account: str, index: int, ctx: tuple[World, datetime]
) -> dict[str, Any]:
    world, now = ctx
    creator = sample_creator(item, spec.owner_path)
    posted = _dated(spec, item, world, now)
    video_id = post_key("youtube", account, index)
    path = "shorts/" if item.get("type") == "shorts" else "watch?v="
    channel = f"https://www.youtube.com/@{account}"
    item.update(
        id=video_id,
        url=f"https://www.youtube.com/{path}{video_id}",
        date=iso(posted),
        channelName=_display_name(account, item.get("channelName"), creator),
        channelUrl=channel,
        channelId="UC" + chars(IG_SHORTCODE, 22, "youtube-channel", account),
        fromYTUrl=f"{channel}/{YOUTUBE_TAB[str(item.get('type', 'video'))]}",
    )
    if "channelUsername" in item:
        item["channelUsername"] = account
    return item


_RENDER = {"instagram": _instagram_post, "tiktok": _tiktok_video, "youtube": _youtube_video}


def _feed(spec: ActorSpec, account: str) -> list[tuple[int, dict[str, Any]]]:
    """(index, template) in the order the profile lists them: pinned first, then newest."""
    indexed = list(enumerate(creator_templates(spec, account)))
    return sorted(indexed, key=lambda pair: not pair[1].get("isPinned", False))


def _with_input(spec: ActorSpec, item: dict[str, Any], target: Target) -> dict[str, Any]:
    """Name the input the item came from, in the field the actor uses for it."""
    if spec.platform == "instagram":
        given = target.given
        if "://" not in given:
            given = PROFILE_URL["instagram"].format(target.username)
        return {"inputUrl": given, **{k: v for k, v in item.items() if k != "inputUrl"}}
    if spec.platform == "tiktok" and target.post_key is not None:
        item.pop("input", None)
        item.pop("fromProfileSection", None)
        item["submittedVideoUrl"] = target.given
        return item
    item["input"] = target.given
    if spec.platform == "youtube" and target.post_key is not None:
        item.update(fromYTUrl=target.given, order=0)
    return item


def _error_items(spec: ActorSpec, kind: str, target: Target, account: str | None) -> list[Any]:
    """The actor's item for an input that yields nothing, or none: some actors push nothing."""
    item = error_template(spec, kind)
    if item is None:
        return []
    url = target.given if target.post_key else PROFILE_URL[spec.platform].format(account)
    for key in ("inputUrl", "input", "submittedVideoUrl"):
        if key in item:
            item[key] = target.given
    item["url"] = url
    return [item]


def render_post(spec: ActorSpec, target: Target, now: datetime, world: World) -> list[Any]:
    """The current item of the post a post URL names, or the actor's not-found item."""
    assert target.post_key is not None
    found = world.find_post(spec, target.post_key, target.username)
    if found is None or world.is_deleted(target.given, target.post_key):
        return _error_items(spec, "post_not_found", target, target.username)
    account, index = found
    template = creator_templates(spec, account)[index]
    item = _RENDER[spec.platform](spec, template, account, index, (world, now))
    return [_with_input(spec, item, target)]


def _instagram_profile(
    spec: ActorSpec, target: Target, account: str, private: bool, ctx: tuple[World, datetime]
) -> dict[str, Any]:
    """A profile with its latest posts, rendered as the posts actor renders them; a private
    one keeps its counts and lists no posts."""
    posts_spec = next(a for a in ACTORS if a.name == "instagram-scraper")
    (item,) = creator_templates(spec, account)[:1]
    creator = template_creator(spec, account)
    latest = []
    if not private:
        for index, template in _feed(posts_spec, account)[:LATEST_POSTS]:
            post = _instagram_post(posts_spec, template, account, index, ctx)
            latest.append({k: v for k, v in post.items() if k != "inputUrl"})
    item.update(
        inputUrl=f"https://www.instagram.com/{target.username}",
        id=_instagram_user_id(account),
        username=account,
        url=f"https://www.instagram.com/{account}",
        fullName=_display_name(account, item.get("fullName"), creator),
        private=private or bool(item.get("private")),
        latestPosts=latest,
    )
    return item


def _profile_items(
    spec: ActorSpec, target: Target, run_input: Mapping[str, Any], ctx: tuple[World, datetime]
) -> list[dict[str, Any]]:
    world, now = ctx
    assert target.username is not None
    status, account = world.status(target.username)
    if status == "missing" or (status == "private" and spec.name != "instagram-profile-scraper"):
        return _error_items(
            spec, "not_found" if status == "missing" else "private", target, account
        )
    world.remember(spec.platform, account)
    if spec.name == "instagram-profile-scraper":
        return [_instagram_profile(spec, target, account, status == "private", ctx)]
    feed = _feed(spec, account)
    max_age = max_age_days(run_input.get(spec.date_field or ""), now, spec.date_field or "")
    if max_age is not None:
        age = {
            i: (now - world.epoch).total_seconds() / 86400 + float(t["_daysAgo"]) for i, t in feed
        }
        newer = [(i, t) for i, t in feed if age[i] <= max_age]
        older = [(i, t) for i, t in feed if age[i] > max_age]
        feed = newer + older[:1]  # the real actors let one older post through
    if spec.type_limits:
        limits = {
            kind: default if (n := count_limit(run_input, key, minimum=0)) is None else n
            for kind, key, default in spec.type_limits
        }
        tabs = [[(i, t) for i, t in feed if t.get("type", "video") == kind] for kind in limits]
        feed = [
            pair for kind, tab in zip(limits, tabs, strict=True) for pair in tab[: limits[kind]]
        ]
    else:
        feed = feed[: count_limit(run_input, spec.limit_field)]
    render = _RENDER[spec.platform]
    return [_with_input(spec, render(spec, t, account, i, ctx), target) for i, t in feed]


def render_items(
    spec: ActorSpec, run_input: Mapping[str, Any], now: datetime, world: World | None = None
) -> list[Any]:
    """The dataset a run of `spec` with `run_input` produces at `now`, before any injected
    fault. Without a `world`, posts are dated from `now` and only sample creators' posts can
    be found by URL."""
    world = world or World(epoch=now)
    if is_comments_run(spec, run_input):
        posts_spec = next(a for a in ACTORS if a.platform == spec.platform and a.date_field)
        return render_comments(spec, posts_spec, run_input, now, world)
    items: list[Any] = []
    for target in spec.targets(run_input):
        if target.post_key is not None:
            items.extend(render_post(spec, target, now, world))
        else:
            items.extend(_profile_items(spec, target, run_input, (world, now)))
    return items


def malformed_items(spec: ActorSpec, items: list[Any], count: int) -> list[Any]:
    """What real scrapers also push now and then: an item without its id, one with wrong
    types, and an error item for a profile that could not be read."""
    out: list[Any] = []
    for n in range(count):
        variant = n % 3 if items else 2
        base = copy.deepcopy(items[n % len(items)]) if items else {}
        if variant == 0:
            base.pop("id", None)
            base.pop("shortCode", None)
            out.append(base)
        elif variant == 1:
            for key in ("likesCount", "diggCount", "viewCount", "followersCount"):
                if key in base:
                    base[key] = "1.2K"
            for key in ("timestamp", "createTimeISO", "date"):
                if key in base:
                    base[key] = 1700000000
            base["id"] = int(digits(12, "malformed", str(n)))
            out.append(base)
        else:
            out.append(
                {
                    "url": PROFILE_URL[spec.platform].format("not.a.real.profile"),
                    "error": "not_found",
                    "errorDescription": "Page not found, the profile may not exist.",
                }
            )
    return out
