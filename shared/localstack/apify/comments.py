"""Comments runs of the stand-in: Instagram's scraper with `resultsType: "comments"` and
clockworks/tiktok-comments-scraper, in their documented item formats.

Every post a run names gets the same labelled sample comments (SAMPLE_COMMENTS: positive,
negative, neutral, mixed, a toxic one and an emoji-only one), in the same order, with ids
derived from the post and the comment's place, so a second run reads the same comments (the
same ids) again. A run returns at most the per-post bound (`resultsLimit`, `commentsPerPost`)
of each post; a post the stand-in cannot find (or that a test deleted) yields the actor's error
item instead. Comments are dated minutes before the epoch, newest first, as the actors list them.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from shared.localstack.apify.actors import ActorSpec, Target, count_limit
from shared.localstack.apify.catalog import World
from shared.localstack.apify.common import digits, iso

# (label, text, likes; None = likes not reported). The labels are what a sentiment engine
# should make of each text; tests and the demo read them from here.
SAMPLE_COMMENTS: tuple[tuple[str, str, int | None], ...] = (
    ("positive", "Love this so much, the colours are amazing! Ordering one today", 48),
    ("negative", "Terrible quality, mine broke after two days. Really disappointed.", 12),
    ("positive", "Great review, thank you for being honest about it", 7),
    ("toxic", "You are an idiot and this is garbage, shut up", 0),
    ("emoji", "😍🔥🔥", 3),
    ("neutral", "Where can I buy it?", None),
    ("mixed", "Looks nice but way too expensive for what it is", 5),
    ("negative", "Worst brand ever, never buying again", 2),
)
DEFAULT_PER_POST = 20  # what the actors return per post when no bound is given
COMMENTERS = ("mira.k", "dan_outdoors", "lea.writes", "troll_4521", "sunny.days", "q.asker")


def is_comments_run(spec: ActorSpec, run_input: Mapping[str, Any]) -> bool:
    if spec.name == "tiktok-comments-scraper":
        return True
    return spec.name == "instagram-scraper" and run_input.get("resultsType") == "comments"


def _limit(spec: ActorSpec, run_input: Mapping[str, Any]) -> int:
    field = "commentsPerPost" if spec.platform == "tiktok" else "resultsLimit"
    bound = count_limit(run_input, field)
    return DEFAULT_PER_POST if bound is None else bound


def _comment(spec: ActorSpec, target: Target, index: int, posted: datetime) -> dict[str, Any]:
    _, text, likes = SAMPLE_COMMENTS[index % len(SAMPLE_COMMENTS)]
    author = COMMENTERS[index % len(COMMENTERS)]
    key = str(target.post_key)
    if spec.platform == "instagram":
        comment_id = "179" + digits(14, "instagram-comment", key, str(index))
        return {
            "postUrl": target.given,
            "commentUrl": f"https://www.instagram.com/p/{key}/c/{comment_id}/",
            "id": comment_id,
            "text": text,
            "ownerUsername": author,
            "ownerProfilePicUrl": f"https://scontent.cdninstagram.com/v/{author}.jpg",
            "timestamp": iso(posted),
            "repliesCount": 0,
            "replies": [],
            "likesCount": likes,
            "owner": {"id": digits(10, "instagram-user", author), "username": author},
        }
    comment_id = "7" + digits(18, "tiktok-comment", key, str(index))
    return {
        "videoWebUrl": target.given,
        "submittedVideoUrl": target.given,
        "input": target.given,
        "cid": comment_id,
        "createTime": int(posted.timestamp()),
        "createTimeISO": iso(posted),
        "text": text,
        "diggCount": likes,
        "likedByAuthor": False,
        "pinnedByAuthor": False,
        "repliesToId": None,
        "replyCommentTotal": 0,
        "uid": digits(19, "tiktok-user", author),
        "uniqueId": author,
        "avatarThumbnail": f"https://p16-sign.tiktokcdn.com/{author}.jpeg",
        "mentions": [],
        "detectedLanguage": "en",
    }


def _not_found(spec: ActorSpec, target: Target) -> dict[str, Any]:
    if spec.platform == "instagram":
        return {
            "postUrl": target.given,
            "url": target.given,
            "error": "not_found",
            "errorDescription": "Post not found or the comments are unavailable.",
        }
    return {
        "submittedVideoUrl": target.given,
        "url": target.given,
        "error": "Video currently unavailable",
    }


def render_comments(
    spec: ActorSpec,
    posts_spec: ActorSpec,
    run_input: Mapping[str, Any],
    now: datetime,
    world: World,
) -> list[Any]:
    """The dataset of a comments run: each named post's comments, or its error item.
    `posts_spec` is the platform's posts actor, whose posts the URLs are looked up among."""
    limit = _limit(spec, run_input)
    items: list[Any] = []
    for target in spec.targets(run_input):
        found = (
            world.find_post(posts_spec, target.post_key, target.username)
            if target.post_key
            else None
        )
        if found is None or world.is_deleted(target.given, str(target.post_key)):
            items.append(_not_found(spec, target))
            continue
        items.extend(
            _comment(spec, target, index, world.epoch - timedelta(minutes=7 * index))
            for index in range(min(limit, len(SAMPLE_COMMENTS)))
        )
    return items
