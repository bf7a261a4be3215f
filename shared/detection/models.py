"""What campaign-content detection reads and returns.

Rules are few and configured by people, so they are validated pydantic models (frozen, so a
prepared form can be cached per rule). Posts arrive by the million from scrapers, so they are
plain frozen dataclasses with no validation cost; the scraper adapter is where they are checked.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator


def _without(prefix: str) -> AfterValidator:
    def strip(tag: str) -> str:
        tag = tag.strip().lstrip(prefix).strip()
        if not tag:
            raise ValueError(f"an empty tag (only {prefix!r} and spaces)")
        return tag

    return AfterValidator(strip)


def _compiles(pattern: str | None) -> str | None:
    if pattern is not None:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise ValueError(f"not a valid regular expression: {exc}") from exc
    return pattern


Hashtag = Annotated[str, _without("#")]
Mention = Annotated[str, _without("@")]


class CampaignRule(BaseModel):
    """How one campaign's posts are recognised, and which creators may post them.

    Tags are stored without their leading ``#`` or ``@`` (one given with it is accepted and
    stripped). ``creator_keys`` holds the ``(platform, username)`` pairs allocated to the
    campaign; a post is only checked against campaigns its author is allocated to. Campaign
    dates are UTC calendar days, both ends inclusive; ``None`` leaves that end open.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    campaign_id: str = Field(min_length=1)
    required_hashtags: tuple[Hashtag, ...] = ()
    optional_hashtags: tuple[Hashtag, ...] = ()
    required_mentions: tuple[Mention, ...] = ()
    tracking_link_pattern: Annotated[str | None, AfterValidator(_compiles)] = None
    min_match_confidence: float = Field(default=0.7, ge=0, le=1)
    start_date: date | None = None
    end_date: date | None = None
    creator_keys: frozenset[tuple[str, str]] = frozenset()

    @model_validator(mode="after")
    def _ends_after_start(self) -> CampaignRule:
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValueError("end_date is before start_date")
        return self


@dataclass(frozen=True, slots=True)
class PostText:
    """The text of one scraped post, as far as detection needs it.

    ``hashtags`` and ``mentions`` are the scraper's lists (with or without ``#``/``@``); links
    are read from the caption. ``is_paid_partnership`` True is strong evidence; False and None
    prove nothing (scrapers often miss the flag). ``posted_at`` is UTC (a naive value is read as
    UTC).
    """

    post_key: str
    platform: str
    username: str
    caption: str | None = None
    hashtags: Sequence[str] | None = None
    mentions: Sequence[str] | None = None
    is_paid_partnership: bool | None = None
    posted_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Match:
    """How strongly one post looks like content of one campaign, and why."""

    post_key: str
    campaign_id: str
    confidence: float
    reasons: list[str]
    is_campaign_content: bool


@dataclass(frozen=True, slots=True)
class DisclosureMarker:
    """A word or hashtag that discloses paid content, e.g. ``#anzeige`` (de)."""

    text: str
    language: str

    @property
    def kind(self) -> Literal["hashtag", "phrase"]:
        return "hashtag" if self.text.startswith("#") else "phrase"
