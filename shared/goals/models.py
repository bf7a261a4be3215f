"""Conversion goals as the API takes and returns them.

A goal names an event type (and, for `custom`, the event's name), optionally one site, up to
ten conditions that must all hold, and a value rule: the event's own value, or a fixed amount
per match. Text conditions are case-sensitive, as the events are stored (a regex may say
`(?i)`); `equals` on a property compares its text as sent (`12.5`, `true`).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field, ValidationInfo, field_validator, model_validator

from shared.goals.conditions import (
    MAX_CONDITIONS,
    MAX_TEXT,
    Operator,
    check_field,
    check_operator,
    check_pattern,
)
from shared.model_base import MAX_MONEY, ApiModel, Name, PageLimit, QueryModel, not_null
from shared.tracking.events import Amount, EventType

GoalEventType = Literal[  # the conversions, and page views (a destination goal)
    "page_view",
    "lead_form_submission",
    "add_to_cart",
    "begin_checkout",
    "purchase",
    "page_engagement",
    "custom",
]
SiteId = Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{1,64}$")]
EventName = Annotated[str, Field(min_length=1, max_length=100)]
MAX_RANGE_DAYS = 400
DEFAULT_RANGE_DAYS = 30


class Condition(ApiModel):
    field: str = Field(
        max_length=120,
        description="url, referrer, utm_source..utm_id, event_name, order_id, currency, value "
        "(the event's value in currency units) or properties.<key>",
    )
    operator: Operator
    value: Annotated[str, Field(max_length=MAX_TEXT)] | int | float = Field(
        description="text for equals/contains/regex (RE2 syntax); a number for greater_than"
    )

    @field_validator("field")
    @classmethod
    def _known_field(cls, field: str) -> str:
        return check_field(field)

    @field_validator("value")
    @classmethod
    def _fits_operator(cls, value: str | int | float, info: ValidationInfo) -> str | int | float:
        field, operator = info.data.get("field"), info.data.get("operator")
        if field is None or operator is None:
            return value  # the field or operator is already reported
        check_operator(field, operator)
        if operator == "greater_than":
            if isinstance(value, str) or abs(value) > MAX_MONEY:
                raise ValueError(f"greater_than takes a number of at most {MAX_MONEY} in size")
            return value
        if not isinstance(value, str):
            raise ValueError(f"{operator} takes text")
        if operator == "regex":
            return check_pattern(value)
        if not value:
            raise ValueError(f"{operator} takes non-empty text")
        return value


class EventValue(ApiModel):
    """Each match is worth the event's own value and currency (none when it has none)."""

    type: Literal["event"]


class FixedValue(ApiModel):
    """Each match is worth this amount, whatever the event carried."""

    type: Literal["fixed"]
    amount: Amount = Field(description="a decimal string or number, stored as integer micros")
    currency: Annotated[str, Field(min_length=3, max_length=3)]


ValueRule = Annotated[EventValue | FixedValue, Field(discriminator="type")]


def check_event_name(event_type: str, event_name: str | None) -> None:
    """A custom goal names the event it counts; no other goal names one."""
    if event_type == "custom" and event_name is None:
        raise ValueError("event_name: a custom goal names the event it counts")
    if event_type != "custom" and event_name is not None:
        raise ValueError("event_name: only a custom goal names an event")


class GoalCreate(ApiModel):
    name: Name
    site_id: SiteId | None = Field(default=None, description="one of the organization's sites")
    event_type: GoalEventType
    event_name: EventName | None = Field(default=None, description="a custom event's name")
    conditions: list[Condition] = Field(default_factory=list, max_length=MAX_CONDITIONS)
    value: ValueRule = Field(default_factory=lambda: EventValue(type="event"))

    @model_validator(mode="after")
    def _event_name_fits_type(self) -> GoalCreate:
        check_event_name(self.event_type, self.event_name)
        return self


class GoalUpdate(ApiModel):
    """Fields sent replace the stored ones (the conditions as a whole list); event_type and
    event_name are sent together when either changes."""

    name: Name | None = None
    site_id: SiteId | None = None
    event_type: GoalEventType | None = None
    event_name: EventName | None = None
    conditions: list[Condition] | None = Field(default=None, max_length=MAX_CONDITIONS)
    value: ValueRule | None = None

    _required = not_null("name", "event_type", "conditions", "value")


class StoredValue(BaseModel):
    type: Literal["event", "fixed"]
    value_micros: int | None = Field(description="the fixed amount in micros; null for event")
    currency: str | None


class ConversionGoal(BaseModel):
    goal_id: str
    name: str
    site_id: str | None
    event_type: EventType
    event_name: str | None
    conditions: list[Condition]
    value: StoredValue
    revision: int = Field(description="1 at creation, one more on each change")
    created_at: datetime
    created_by: str
    updated_at: datetime


class CurrencyValue(BaseModel):
    currency: str
    value_micros: int


class GoalMatches(BaseModel):
    """Counted over every tracked event (history included) by the view goal_conversions."""

    since: date = Field(description="the first UTC day counted (the query's `from`)")
    until: date = Field(description="the last UTC day counted (the query's `to`)")
    conversions: int
    value: list[CurrencyValue] = Field(description="matched value per currency, in micros")
    without_value: int = Field(description="matches that carry no value (value rule: event)")


class ConversionGoalDetail(ConversionGoal):
    matches: GoalMatches


class GoalListQuery(QueryModel):
    limit: PageLimit | None = None
    cursor: str | None = None


class GoalMatchQuery(QueryModel):
    """`from`/`to` are UTC days, both included: the 30 days to `to` (today when left out)."""

    from_: date | None = Field(default=None, alias="from")
    to: date | None = None
