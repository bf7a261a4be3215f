"""Conversions as records a person can work with: what a backend, a CRM or a person sends to
POST /v1/conversions, and what the conversion endpoints answer.

A server-side conversion is a tracked event (shared/tracking/events.py) of a conversion type,
checked by the same rules, that may also name the site whose visitor converted (to join the
visitor's journey) and the ReachOps campaign it is attributed to.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, RootModel, model_validator

from shared.model_base import PageLimit, QueryModel
from shared.tracking.events import Source, TrackEvent, Window

SERVER_MAX_AGE = timedelta(days=90)
"""How old a server-side conversion may be when it arrives: a CRM closes a deal or a backend
replays its orders long after the browser's 72 hours, but within a quarter (older records are
a backfill, not intake)."""
SERVER_WINDOW = Window(max_age=SERVER_MAX_AGE)
MAX_RANGE_DAYS = 400
"""The longest from..to range a list or stats request may read (about 13 months)."""
DEFAULT_LIST_DAYS = 90
"""The days a list reads when no `from` is given (to `to`, or today)."""
KEPT_DAYS = 3 * 365
"""How far back a conversion is looked up by id (the partitions GET /v1/conversions/{id} reads)."""
MAX_SESSION_VIEWS = 200
ConversionType = Literal[
    "lead_form_submission",
    "add_to_cart",
    "begin_checkout",
    "purchase",
    "page_engagement",
    "custom",
]
"""The conversion types of shared/tracking/events.py (CONVERSIONS; a unit test keeps them one)."""
SiteId = Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{1,64}$")]
CampaignId = Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{1,64}$")]
ConversionId = Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{0,64}~[A-Za-z0-9_.:@-]{1,128}$")]


class ConversionCreate(TrackEvent):
    """A tracked conversion event plus where it belongs. `event_id` makes a resend a no-op;
    a purchase needs `order_id`, `value` and `currency` and counts once per order."""

    type: ConversionType  # narrower than a browser event's
    site_id: SiteId | None = Field(
        default=None, description="the organization's site whose visitor converted"
    )
    campaign_id: CampaignId | None = Field(
        default=None, description="the organization's ReachOps campaign it is attributed to"
    )

    @model_validator(mode="after")
    def _journey_needs_a_site(self) -> ConversionCreate:
        for field in ("visitor_id", "session_id"):
            if getattr(self, field) is not None and self.site_id is None:
                raise ValueError(f"{field}: names a site's visitor; send site_id with it")
        return self


class ConversionBody(RootModel[dict[str, Any]]):
    """The raw JSON object; the service checks it field by field (ConversionCreate)."""


class Conversion(BaseModel):
    conversion_id: str = Field(description="`{site_id}~{event_id}` (site_id empty without a site)")
    source: Source
    type: str
    name: str | None = Field(description="a custom conversion's name")
    event_id: str
    occurred_at: datetime
    site_id: str | None
    visitor_id: str | None
    session_id: str | None
    order_id: str | None
    value_micros: int | None
    currency: str | None
    campaign_id: str | None = Field(description="the ReachOps campaign the sender named")
    paid_campaign_id: str | None = Field(description="Meta campaign id (a Lead Ads lead's)")
    paid_adset_id: str | None
    ad_id: str | None
    ad_account_id: str | None
    lead_id: str | None = Field(description="Meta's leadgen id")
    properties: dict[str, Any] | None

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Conversion:
        """From a reachops.conversions row (or the track_events row just written)."""
        at: datetime = row["occurred_at"]
        site_id = str(row["site_id"])
        event_id = str(row.get("event_id") or row["conversion_id"][len(site_id) + 1 :])
        return cls(
            conversion_id=f"{site_id}~{event_id}",
            source=row["source"],
            type=row["event_type"],
            name=row["event_name"],
            event_id=event_id,
            occurred_at=at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC),
            site_id=site_id or None,
            **{k: row[k] for k in _PLAIN},
            properties=json.loads(row["properties_json"]) if row["properties_json"] else None,
        )


_PLAIN = (
    "visitor_id", "session_id", "order_id", "value_micros", "currency", "campaign_id",
    "paid_campaign_id", "paid_adset_id", "ad_id", "ad_account_id", "lead_id",
)  # fmt: skip


class PageView(BaseModel):
    event_id: str
    occurred_at: datetime
    url: str | None
    referrer: str | None
    utm: dict[str, str | None] = Field(description="utm_source .. utm_id, verbatim")
    click_ids: dict[str, str | None] = Field(description="fbclid, gclid, ttclid, verbatim")


class SessionView(BaseModel):
    session_id: str
    landing_url: str | None = Field(description="the session's first page view's URL")
    referrer: str | None = Field(description="the first page view's referrer")
    page_views: list[PageView]


class ConversionDetail(Conversion):
    session: SessionView | None = Field(
        description="the visitor's session (null: the conversion named no site and session)"
    )
    session_reason: str | None = Field(description="why session is null")
    journey: dict[str, Any] | None = Field(
        default=None,
        description="the touch path and the attribution models' credit (the attribution API "
        "fills it; null until then)",
    )


class ConversionQuery(QueryModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    type: ConversionType | None = None
    campaign_id: CampaignId | None = None
    source: Source | None = None
    goal_id: Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{1,64}$")] | None = Field(
        default=None, description="only the conversions this goal matches"
    )
    from_: date | None = Field(default=None, alias="from")
    to: date | None = None
    limit: PageLimit | None = None
    cursor: str | None = None

    @model_validator(mode="after")
    def _ordered(self) -> ConversionQuery:
        _check_range(self.from_, self.to)
        return self


class StatsQuery(QueryModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    from_: date = Field(alias="from")
    to: date

    @model_validator(mode="after")
    def _ordered(self) -> StatsQuery:
        _check_range(self.from_, self.to)
        return self


def _check_range(start: date | None, end: date | None) -> None:
    if start and end and end < start:
        raise ValueError("to: is before from")
    if start and end and (end - start).days + 1 > MAX_RANGE_DAYS:
        raise ValueError(f"to: the range is longer than {MAX_RANGE_DAYS} days")


class Money(BaseModel):
    currency: str
    value_micros: int


class StatsRow(BaseModel):
    key: str | None = Field(description="the type, campaign id (null: none named) or day")
    conversions: int
    value: list[Money] = Field(description="per currency; conversions without a value add none")
    sessions: int | None = Field(
        description="sessions with a page_view (on the day, for by_day); null by campaign"
    )
    converting_sessions: int
    conversion_rate: float | None = Field(description="converting_sessions / sessions")
    conversion_rate_reason: str | None = Field(description="why conversion_rate is null")


class ConversionStats(BaseModel):
    from_: date = Field(serialization_alias="from")
    to: date
    total: StatsRow
    by_type: list[StatsRow]
    by_campaign: list[StatsRow]
    by_day: list[StatsRow]
