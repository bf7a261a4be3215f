"""A campaign rule prepared once for detection: folded tags, compiled link, window in µs.

Rules are frozen pydantic models, so a prepared form is cached per rule; the batch detector
and the one-by-one reference read the same prepared form and cannot drift apart.
"""

from __future__ import annotations

import functools
import string
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import re2

from shared.detection.links import compile_link_pattern
from shared.detection.models import CampaignRule
from shared.detection.text import creator_key, fold

REQUIRED_HASHTAG, REQUIRED_MENTION, OPTIONAL_HASHTAG = 0, 1, 2
EARLIEST, LATEST = -(2**62), 2**62  # open ends of a campaign window, in µs since the epoch
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


@dataclass(frozen=True)
class Tag:
    token: str
    kind: int
    reason: str


@dataclass(frozen=True)
class Prepared:
    rule: CampaignRule
    tags: tuple[Tag, ...]  # in reason order: required hashtags, required mentions, optional
    required_hashtags: int
    required_mentions: int
    link: re2._Regexp[bytes] | None
    creators: frozenset[tuple[str, str]]
    opens: int  # the campaign window in µs since the epoch: opens <= t < closes
    closes: int

    @property
    def has_dates(self) -> bool:
        return self.rule.start_date is not None or self.rule.end_date is not None


def instant(posted_at: datetime | None) -> int | None:
    """µs since the epoch; a naive value is read as UTC."""
    if posted_at is None:
        return None
    if posted_at.tzinfo is None:
        posted_at = posted_at.replace(tzinfo=UTC)
    return (posted_at - _EPOCH) // _MICROSECOND


@functools.lru_cache(maxsize=4096)
def prepare(rule: CampaignRule) -> Prepared:
    tags: dict[str, Tag] = {}
    for values, sigil, kind, label in (
        (rule.required_hashtags, "#", REQUIRED_HASHTAG, "required hashtag"),
        (rule.required_mentions, "@", REQUIRED_MENTION, "mentions"),
        (rule.optional_hashtags, "#", OPTIONAL_HASHTAG, "optional hashtag"),
    ):
        for value in values:
            token = sigil + fold(value).strip(string.punctuation + string.whitespace)
            tags.setdefault(token, Tag(token, kind, f"{label} {sigil}{value}"))
    kinds = [tag.kind for tag in tags.values()]
    pattern = rule.tracking_link_pattern
    opens, closes = rule.window()
    return Prepared(
        rule=rule,
        tags=tuple(tags.values()),
        required_hashtags=kinds.count(REQUIRED_HASHTAG),
        required_mentions=kinds.count(REQUIRED_MENTION),
        link=compile_link_pattern(pattern) if pattern is not None else None,
        creators=frozenset(creator_key(*key) for key in rule.creator_keys),
        opens=EARLIEST if opens is None else (opens - _EPOCH) // _MICROSECOND,
        closes=LATEST if closes is None else (closes - _EPOCH) // _MICROSECOND,
    )
