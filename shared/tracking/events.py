"""One tracked event: what a browser or a backend may send, checked event by event, so a bad
event is rejected with its index, field and reason while the good ones of its batch land.

Pure logic over plain data: validation, campaign parameters (UTM and click ids, kept verbatim,
read from the page URL's query when not sent), money as integer micros, and the time bounds.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Literal
from urllib.parse import parse_qs, urlsplit

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError, model_validator

from shared.metrics.definitions import currency_minor_units
from shared.model_base import MAX_MONEY

MAX_EVENTS = 100
MAX_FUTURE = timedelta(minutes=5)
"""How far ahead of the server a client clock may run."""
MAX_AGE = timedelta(hours=72)
"""How late a browser's event may arrive (a tab reopened, a queue flushed); older is rejected."""
MICROS = 1_000_000
Source = Literal["browser", "api", "meta_lead_ads"]
"""Where an event came from: the browser intake, POST /v1/conversions, a Meta Lead Ads lead."""
LINK_COLUMNS = (
    "campaign_id",
    "paid_campaign_id",
    "paid_adset_id",
    "ad_id",
    "ad_account_id",
    "lead_id",
)
"""Explicit attribution a server-side conversion carries (a ReachOps campaign, Meta's ids)."""


@dataclass(frozen=True)
class Window:
    """How far from the server's clock an event's occurred_at may be: a source that replays
    older records (a CRM, a backfill) is given a longer max_age than a browser."""

    max_age: timedelta = MAX_AGE
    max_future: timedelta = MAX_FUTURE


BROWSER_WINDOW = Window()

EventType = Literal[
    "page_view",
    "lead_form_submission",
    "add_to_cart",
    "begin_checkout",
    "purchase",
    "page_engagement",
    "custom",
    "experiment_viewed",
]
CONVERSIONS = frozenset(
    {
        "lead_form_submission",
        "add_to_cart",
        "begin_checkout",
        "purchase",
        "page_engagement",
        "custom",
    }
)
CAMPAIGN_PARAMETERS = (
    "utm_source",
    "utm_medium",
    "utm_campaign",
    "utm_content",
    "utm_term",
    "utm_id",
    "fbclid",
    "gclid",
    "ttclid",
)
Id = Annotated[str, Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_.:@-]+$")]
Param = Annotated[str, Field(min_length=1, max_length=500)]
Url = Annotated[str, Field(min_length=1, max_length=2048, pattern=r"^https?://")]
MAX_VALUE = MAX_MONEY // MICROS
"""The largest amount an event may carry, in currency units (MAX_MONEY in micros)."""
Amount = (
    Annotated[str, Field(max_length=40, pattern=r"^\s*[0-9]+(\.[0-9]+)?\s*$")]
    | Annotated[int, Field(ge=0, le=MAX_VALUE)]
    | Annotated[float, Field(ge=0, le=MAX_VALUE)]
)
Scalar = (
    Annotated[str, Field(max_length=500)]
    | Annotated[int, Field(ge=-MAX_MONEY, le=MAX_MONEY)]
    | Annotated[float, Field(ge=-MAX_MONEY, le=MAX_MONEY)]
    | bool
    | None
)


class TrackEvent(BaseModel):
    """Fields that do not belong to the event's type are refused, not ignored."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    type: EventType
    event_id: Id
    occurred_at: AwareDatetime
    visitor_id: Id | None = None
    session_id: Id | None = None
    url: Url | None = None
    referrer: Annotated[str, Field(max_length=2048)] | None = None
    utm_source: Param | None = None
    utm_medium: Param | None = None
    utm_campaign: Param | None = None
    utm_content: Param | None = None
    utm_term: Param | None = None
    utm_id: Param | None = None
    fbclid: Param | None = None
    gclid: Param | None = None
    ttclid: Param | None = None
    value: Amount | None = Field(
        default=None, description="a decimal string or number, stored as integer micros"
    )
    currency: Annotated[str, Field(min_length=3, max_length=3)] | None = None
    order_id: Id | None = None
    name: Annotated[str, Field(min_length=1, max_length=100)] | None = Field(
        default=None, description="a custom event's name"
    )
    experiment_id: Id | None = None
    variation_id: Id | None = None
    properties: dict[Annotated[str, Field(max_length=100)], Scalar] | None = Field(
        default=None, max_length=30
    )

    @model_validator(mode="after")
    def _fits_its_type(self) -> TrackEvent:
        for field, wanted in _required(self.type).items():
            if wanted and getattr(self, field) is None:
                raise ValueError(f"{field}: is required for a {self.type} event")
        if self.type not in CONVERSIONS:
            for field in ("value", "currency", "order_id"):
                if getattr(self, field) is not None:
                    raise ValueError(f"{field}: only conversions carry it")
        if self.type != "experiment_viewed" and self.experiment_id is not None:
            raise ValueError("experiment_id: only experiment_viewed carries it")
        if self.type != "custom" and self.name is not None:
            raise ValueError("name: only custom events carry it")
        if (self.value is None) != (self.currency is None):
            raise ValueError("currency: value and currency come together")
        return self


def _required(event_type: str) -> dict[str, bool]:
    return {
        "url": event_type == "page_view",
        "order_id": event_type == "purchase",
        "value": event_type == "purchase",
        "name": event_type == "custom",
        "experiment_id": event_type == "experiment_viewed",
        "variation_id": event_type == "experiment_viewed",
    }


@dataclass(frozen=True)
class Rejection:
    index: int
    field: str
    reason: str


def to_micros(value: str | float | int, currency: str) -> int:
    """A decimal amount as integer micros; ValueError says what is wrong with it."""
    if isinstance(value, bool):
        raise ValueError("value: must be a decimal number, not a boolean")
    if currency_minor_units(currency) is None or currency != currency.upper():
        raise ValueError(f"currency: {currency!r} is not an ISO 4217 code (upper case)")
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation as exc:
        raise ValueError(f"value: {value!r} is not a decimal number") from exc
    if not amount.is_finite() or amount < 0:
        raise ValueError("value: must be a finite amount, zero or more")
    micros = amount * MICROS
    if micros != micros.to_integral_value():
        raise ValueError("value: has more than 6 decimal places")
    if micros > MAX_MONEY:
        raise ValueError(f"value: exceeds {MAX_VALUE} currency units")
    return int(micros)


def campaign_parameters(event: TrackEvent) -> dict[str, str | None]:
    """UTM and click ids as sent; those not sent are read from the page URL's query, verbatim
    (the first value of each; no case folding, because analysts match them as tagged)."""
    query = parse_qs(urlsplit(event.url).query, keep_blank_values=False) if event.url else {}
    found: dict[str, str | None] = {}
    for name in CAMPAIGN_PARAMETERS:
        sent = getattr(event, name)
        from_url = query.get(name, [None])[0]
        found[name] = sent if sent is not None else (from_url[:500] if from_url else None)
    return found


def check_event(
    index: int,
    raw: Any,
    now: datetime,
    window: Window = BROWSER_WINDOW,
    model: type[TrackEvent] = TrackEvent,
) -> tuple[TrackEvent, int | None] | Rejection:
    """The event (as `model`, TrackEvent or a stricter subclass) and its value in micros, or
    why it is rejected."""
    if not isinstance(raw, dict):
        return Rejection(index, "event", "must be a JSON object")
    try:
        event = model.model_validate(raw)
    except ValidationError as exc:
        error = exc.errors()[0]
        field = ".".join(str(part) for part in error["loc"])
        message = str(error["msg"]).removeprefix("Value error, ")
        if not field and ": " in message:
            field, message = message.split(": ", 1)
        return Rejection(index, field or "event", message)
    late_or_early = _outside_window(event.occurred_at, now, window)
    if late_or_early is not None:
        return Rejection(index, "occurred_at", late_or_early)
    if event.value is None or event.currency is None:
        return event, None
    try:
        return event, to_micros(event.value, event.currency)
    except ValueError as exc:
        field, _, reason = str(exc).partition(": ")
        return Rejection(index, field, reason)


def _outside_window(occurred_at: datetime, now: datetime, window: Window) -> str | None:
    if occurred_at > now + window.max_future:
        return f"is more than {_span(window.max_future)} in the future"
    if occurred_at < now - window.max_age:
        return f"is more than {_span(window.max_age)} old"
    return None


def _span(span: timedelta) -> str:
    """5 minutes, 72 hours, 90 days: as people say them (days from a week up)."""
    seconds = int(span.total_seconds())
    for unit, size, least in (("days", 86400, 7), ("hours", 3600, 1), ("minutes", 60, 1)):
        if seconds % size == 0 and seconds >= size * least:
            return f"{seconds // size} {unit}"
    return f"{seconds} seconds"


def event_row(
    org_id: str,
    site_id: str,
    event: TrackEvent,
    micros: int | None,
    received_at: datetime,
    *,
    source: Source = "browser",
    links: Mapping[str, str | None] | None = None,
) -> dict[str, Any]:
    """The warehouse row (bigquery_sql/schema/track_events.sql) of one accepted event; `links`
    fills LINK_COLUMNS (null when not given)."""
    unknown = set(links or {}) - set(LINK_COLUMNS)
    if unknown:
        raise ValueError(f"not attribution columns: {sorted(unknown)}")
    return {
        "org_id": org_id,
        "site_id": site_id,
        "event_id": event.event_id,
        "source": source,
        "event_type": event.type,
        "occurred_at": event.occurred_at,
        "received_at": received_at,
        "visitor_id": event.visitor_id,
        "session_id": event.session_id,
        "url": event.url,
        "referrer": event.referrer or None,
        **campaign_parameters(event),
        "value_micros": micros,
        "currency": event.currency,
        "order_id": event.order_id,
        "event_name": event.name,
        "experiment_id": event.experiment_id,
        "variation_id": event.variation_id,
        "properties_json": json.dumps(event.properties) if event.properties else None,
        **{column: (links or {}).get(column) for column in LINK_COLUMNS},
    }
