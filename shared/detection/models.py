"""What campaign-content detection reads and returns.

Rules are few and configured by people, so they are validated pydantic models (frozen, so a
prepared form can be cached per rule). Posts arrive by the million from scrapers, so they are
plain frozen dataclasses with no validation cost; the scraper adapter is where they are checked.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, available_timezones

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from shared.detection.links import checked_link_pattern


def _without(prefix: str) -> AfterValidator:
    def strip(tag: str) -> str:
        tag = tag.strip().lstrip(prefix).strip()
        if not tag:
            raise ValueError(f"an empty tag (only {prefix!r} and spaces)")
        return tag

    return AfterValidator(strip)


@functools.cache
def _zone_names() -> frozenset[str]:
    return frozenset(available_timezones())


def _known_zone(name: str) -> str:
    if name not in _zone_names():
        raise ValueError(f"{name!r} is not an IANA time zone name (e.g. 'Europe/Berlin', 'UTC')")
    return name


Hashtag = Annotated[str, _without("#")]
Mention = Annotated[str, _without("@")]
TimeZoneName = Annotated[str, AfterValidator(_known_zone)]
"""An IANA time zone name (``Europe/Berlin``), as ``zoneinfo`` knows it."""


class CampaignRule(BaseModel):
    """How one campaign's posts are recognised, and which creators may post them.

    Tags are stored without their leading ``#`` or ``@`` (one given with it is accepted and
    stripped). ``creator_keys`` holds the ``(platform, username)`` pairs allocated to the
    campaign; a post is only checked against campaigns its author is allocated to. Campaign
    dates are calendar days in the campaign's ``timezone``, both ends inclusive: the campaign
    runs from midnight there on ``start_date`` to midnight there after ``end_date`` (``window``);
    ``None`` leaves that end open.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    campaign_id: str = Field(min_length=1)
    required_hashtags: tuple[Hashtag, ...] = ()
    optional_hashtags: tuple[Hashtag, ...] = ()
    required_mentions: tuple[Mention, ...] = ()
    tracking_link_pattern: Annotated[str | None, AfterValidator(checked_link_pattern)] = None
    min_match_confidence: float = Field(default=0.7, ge=0, le=1)
    start_date: date | None = None
    end_date: date | None = None
    timezone: TimeZoneName = "UTC"
    creator_keys: frozenset[tuple[str, str]] = frozenset()

    @model_validator(mode="after")
    def _ends_after_start(self) -> CampaignRule:
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValueError("end_date is before start_date")
        return self

    def window(self) -> tuple[datetime | None, datetime | None]:
        """The campaign's dates as UTC instants: from (inclusive) and until (exclusive)."""
        zone = ZoneInfo(self.timezone)
        opens = closes = None
        if self.start_date is not None and self.start_date > date.min:
            opens = datetime.combine(self.start_date, time(), zone).astimezone(UTC)
        if self.end_date is not None and self.end_date < date.max:
            after = self.end_date + timedelta(days=1)
            closes = datetime.combine(after, time(), zone).astimezone(UTC)
        return opens, closes

    def posted_inside(self, posted_at: datetime | None) -> bool | None:
        """Whether a post falls inside the campaign's dates; None when its date is unknown.
        A naive ``posted_at`` is read as UTC."""
        if posted_at is None:
            return None
        if posted_at.tzinfo is None:
            posted_at = posted_at.replace(tzinfo=UTC)
        opens, closes = self.window()
        return (opens is None or opens <= posted_at) and (closes is None or posted_at < closes)


@dataclass(frozen=True, slots=True)
class PostText:
    """The text of one scraped post, as far as detection needs it.

    ``hashtags`` and ``mentions`` are the scraper's lists (with or without ``#``/``@``); links
    are read from the caption. ``is_paid_partnership`` (the platform's paid-partnership label)
    True is strong evidence and a disclosure; False and None prove nothing (scrapers often miss
    the flag). Whether a post was boosted as an ad is not asked: boosting discloses nothing.
    ``posted_at`` is an instant (a naive value is read as UTC), placed on the campaign's
    calendar in the campaign's time zone.
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
    disclosed: bool = False
    disclosure_markers: tuple[str, ...] = ()
    weak_disclosure_markers: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class DisclosureMarker:
    """A word or hashtag that discloses paid content, e.g. ``#anzeige`` (de).

    A weak marker (``#pr``, ``#collab``) hints at a brand deal but is too ambiguous to count
    as disclosure: it is reported, and the post still counts as undisclosed.
    """

    text: str
    language: str
    weak: bool = False

    @property
    def kind(self) -> Literal["hashtag", "phrase"]:
        return "hashtag" if self.text.startswith("#") else "phrase"
