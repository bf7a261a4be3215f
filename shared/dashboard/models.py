"""The dashboard's queries and replies. Money is integer micros per currency (never added
across currencies); every figure that cannot be known is None with a reason beside it."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints, ValidationInfo, field_validator

from shared.attribution.models import ConversionType
from shared.attribution.paths import DEFAULT_MODEL, Model
from shared.forecasting.engine import MAX_HORIZON_DAYS
from shared.model_base import QueryModel

MAX_RANGE_DAYS = 366
"""The longest range one dashboard call reads (a year of partitions, a leap year included)."""

MAX_FUNNEL_STAGES = 5
"""As many stages as bigquery_sql/queries/dashboard_funnel.sql has."""

RESULT_TYPES: tuple[ConversionType, ...] = ("purchase", "lead_form_submission")
"""What the dashboard counts as a result when no event_type is asked for: sales and leads (the
funnel's add_to_cart and begin_checkout, engagements and custom events are steps, not results)."""
GroupBy = Literal["campaign", "channel", "creator"]
Ranking = Literal["roas", "cpa", "conversions"]
DEFAULT_FUNNEL = ("page_view", "add_to_cart", "begin_checkout", "purchase")

SafeId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,64}$")]


class DayRange(QueryModel):
    """A bounded range of UTC days, both included."""

    from_: date = Field(alias="from")
    to: date

    @field_validator("to")
    @classmethod
    def _bounded(cls, to: date, info: ValidationInfo) -> date:
        start = info.data.get("from_")
        if start is not None and to < start:
            raise ValueError("is before from")
        if start is not None and (to - start).days + 1 > MAX_RANGE_DAYS:
            raise ValueError(f"the range spans more than {MAX_RANGE_DAYS} days")
        return to


class Scoped(QueryModel):
    """Narrowed to a brand's or one campaign's figures (the caller's own)."""

    brand_id: SafeId | None = None
    campaign_id: SafeId | None = None


class CreditQuery(DayRange):
    """A range of conversions credited by one attribution model (the report's query)."""

    model: Model = DEFAULT_MODEL
    event_type: ConversionType | None = Field(
        default=None, description="the conversions that count (default: purchases and leads)"
    )

    def event_types(self) -> list[str]:
        return [self.event_type] if self.event_type else list(RESULT_TYPES)


class RangeQuery(CreditQuery, Scoped):
    """The dashboard's figures over a range, narrowed or not."""


class RoiQuery(RangeQuery):
    by: GroupBy = "campaign"


class TopQuery(RangeQuery):
    by: GroupBy = "campaign"
    rank_by: Ranking = "roas"
    limit: int = Field(default=10, ge=1, le=100)


class TrendsQuery(RangeQuery):
    forecast_days: int = Field(
        default=0, ge=0, le=MAX_HORIZON_DAYS, description="days of conversions to forecast"
    )


class FunnelQuery(DayRange, Scoped):
    """`goal_ids` (comma-separated, in order) makes the stages those goals instead of events."""

    goal_ids: str | None = Field(
        default=None, pattern=r"^[A-Za-z0-9_-]{1,64}(,[A-Za-z0-9_-]{1,64}){1,4}$"
    )


class Money(BaseModel):
    """One currency's figures of a group."""

    currency: str
    spend_micros: int | None
    conversion_value_micros: int | None = Field(description="credited revenue")
    engagements: int | None
    roas: float | None
    cpa: float | None = Field(description="major units of the currency per conversion")
    cost_per_engagement: float | None = Field(description="major units per engagement")
    unknown: dict[str, str] = Field(description="why each None figure is None")


class Group(BaseModel):
    """A campaign, channel, creator, day or the whole range."""

    key: str | None = Field(description="None: results credited to no campaign or creator")
    conversions: float | None = Field(description="credited conversions, every currency")
    money: list[Money] = Field(description="one entry per currency, never summed across")
    unknown: dict[str, str]


class RoiReply(BaseModel):
    from_day: date
    to_day: date
    model: Model
    by: str
    groups: list[Group]


class OverviewReply(BaseModel):
    from_day: date
    to_day: date
    model: Model
    total: Group
    channels: list[Group]


class ForecastPoint(BaseModel):
    day: date
    predicted: float
    lower: float
    upper: float


class ConversionForecast(BaseModel):
    """The credited conversions of the days after `to_day`, from the range's daily history (days
    without conversions are zeros) through the one forecasting engine (shared/forecasting)."""

    method: str | None
    level: float
    history_days: int
    days: list[ForecastPoint]
    reason: str | None = Field(description="why there is no forecast, when there is none")


class TrendsReply(RoiReply):
    forecast: ConversionForecast | None = Field(description="None unless forecast_days > 0")


class FunnelStage(BaseModel):
    stage: str
    visitors: int
    drop_off: int | None = Field(description="visitors of the stage before who did not reach it")
    rate_from_previous: float | None
    rate_from_first: float | None
    unknown: dict[str, str]


class FunnelReply(BaseModel):
    from_day: date
    to_day: date
    kind: Literal["events", "goals"]
    stages: list[FunnelStage]
