"""The forecasts API's requests and replies."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Annotated, Literal, get_args

from pydantic import BaseModel, Field, StringConstraints, field_validator
from pydantic_extra_types.currency_code import ISO4217

from shared.attribution.channels import Channel
from shared.errors import ValidationFailed
from shared.forecasting.engine import DEFAULT_LEVEL, MAX_HORIZON_DAYS
from shared.model_base import ApiModel, PageLimit, QueryModel

Metric = Literal["spend", "conversions", "revenue"]
METRICS: tuple[Metric, ...] = get_args(Metric)
MONEY_METRICS: frozenset[Metric] = frozenset({"spend", "revenue"})
"""Metrics in micros of a currency: their history is read in one currency, never summed across."""
CampaignId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,64}$")]
Level = Annotated[float, Field(ge=0.5, le=0.99)]
HISTORY_DAYS = 90
"""How far back a forecast's history reaches (the days before it are not read)."""
BACKTEST_DAYS = 90
"""How far back a backtest (`as_of`) may start: as far as accuracy scores by default, so a
backtested forecast is scored the moment it is stored."""


class ForecastGenerate(ApiModel):
    """A scope (a campaign, a channel, or a channel within a campaign) and what to forecast."""

    campaign_id: CampaignId | None = None
    channel: Channel | None = None
    metrics: list[Metric] = Field(default_factory=lambda: list(METRICS), min_length=1, max_length=3)
    horizon_days: int = Field(default=28, ge=1, le=MAX_HORIZON_DAYS)
    level: Level = DEFAULT_LEVEL
    currency: ISO4217 | None = Field(
        default=None,
        description="the currency of spend and revenue; default: the campaign's",
    )
    as_of: date | None = Field(
        default=None,
        description=(
            "a backtest: the forecast's first day (UTC), its history the "
            f"{HISTORY_DAYS} days before it, as if the forecast had been made that day; "
            f"today or up to {BACKTEST_DAYS} days back, default today. The complete days of a "
            "backtest are scored by GET /v1/forecasts/accuracy right away."
        ),
    )

    @field_validator("metrics")
    @classmethod
    def _distinct(cls, metrics: list[Metric]) -> list[Metric]:
        if len(set(metrics)) != len(metrics):
            raise ValueError("metrics must not repeat")
        return metrics

    def require_scope(self) -> None:
        """A forecast of the whole organization is not offered: name a campaign or channel."""
        if self.campaign_id is None and self.channel is None:
            raise ValidationFailed("campaign_id or channel is required", field="campaign_id")

    def first_day(self, today: date) -> date:
        """The first forecast day: `as_of`, bounded to today and BACKTEST_DAYS before it."""
        if self.as_of is None:
            return today
        if self.as_of > today:
            raise ValidationFailed(f"must not be after today ({today})", field="as_of")
        if self.as_of < today - timedelta(days=BACKTEST_DAYS):
            raise ValidationFailed(
                f"must be at most {BACKTEST_DAYS} days before today ({today})", field="as_of"
            )
        return self.as_of


class ForecastPoint(BaseModel):
    day: date
    predicted: float
    lower: float
    upper: float


class MetricForecast(BaseModel):
    metric: Metric
    currency: str | None
    method: str | None
    history_days: int
    total: float | None
    total_lower: float | None
    total_upper: float | None
    reason: str | None = Field(description="why there are no numbers; null when there are")
    points: list[ForecastPoint]


class StoredForecast(BaseModel):
    forecast_id: str
    campaign_id: str | None
    channel: str | None
    generated_at: datetime
    generated_by: str
    kind: Literal["on_demand", "weekly"]
    horizon_days: int
    level: float
    history_start: date
    history_end: date
    metrics: list[MetricForecast]


class ForecastListQuery(QueryModel):
    campaign_id: CampaignId | None = None
    channel: Channel | None = None
    kind: Literal["on_demand", "weekly"] | None = None
    limit: PageLimit | None = None
    cursor: str | None = None


class AccuracyQuery(QueryModel):
    campaign_id: CampaignId | None = None
    channel: Channel | None = None
    metric: Metric | None = None
    since: date | None = Field(
        default=None, description="first forecast day scored; default 90 days ago"
    )


class MetricAccuracy(BaseModel):
    forecast_id: str
    generated_at: datetime
    campaign_id: str | None
    channel: str | None
    metric: Metric
    currency: str | None
    method: str
    nominal_level: float
    n_days: int
    mape: float | None
    mape_reason: str | None
    smape: float | None
    coverage: float | None


class AccuracyReply(BaseModel):
    since: date
    complete_before: date = Field(description="days before this one (UTC today) are complete")
    items: list[MetricAccuracy]
