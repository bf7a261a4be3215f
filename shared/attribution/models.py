"""What the attribution API accepts and answers: bounded queries, credited rows, resolutions."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from shared.attribution.channels import Channel
from shared.attribution.paths import (
    DEFAULT_HALF_LIFE_DAYS,
    DEFAULT_LOOKBACK_DAYS,
    DEFAULT_MODEL,
    MAX_HALF_LIFE_DAYS,
    MAX_LOOKBACK_DAYS,
    MIN_HALF_LIFE_DAYS,
    By,
    Model,
)
from shared.attribution.resolution import Method
from shared.model_base import ApiModel, QueryModel

MAX_RANGE_DAYS = 366
Id = Annotated[str, Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_.:@~-]+$")]
# shared/tracking/events.py CONVERSIONS (a unit test holds them equal)
ConversionType = Literal[
    "lead_form_submission", "add_to_cart", "begin_checkout", "purchase", "page_engagement", "custom"
]


class CompareQuery(QueryModel):
    from_: date = Field(alias="from", description="first conversion day (UTC), inclusive")
    to: date = Field(description="last conversion day (UTC), inclusive")
    by: By = "campaign"
    event_type: ConversionType | None = Field(
        default=None, description="count only this conversion type (default: every type)"
    )
    lookback_days: int = Field(default=DEFAULT_LOOKBACK_DAYS, ge=1, le=MAX_LOOKBACK_DAYS)
    half_life_days: float = Field(
        default=DEFAULT_HALF_LIFE_DAYS, ge=MIN_HALF_LIFE_DAYS, le=MAX_HALF_LIFE_DAYS
    )

    @field_validator("to")
    @classmethod
    def _bounded(cls, to: date, info: ValidationInfo) -> date:
        start = info.data.get("from_")
        if start is not None and to < start:
            raise ValueError("is before from")
        if start is not None and (to - start).days >= MAX_RANGE_DAYS:
            raise ValueError(f"the range spans at most {MAX_RANGE_DAYS} days")
        return to

    def defaults(self) -> bool:
        """Whether the SQL views answer (their look-back and half-life are the defaults)."""
        return (
            self.lookback_days == DEFAULT_LOOKBACK_DAYS
            and self.half_life_days == DEFAULT_HALF_LIFE_DAYS
        )


class AttributionQuery(CompareQuery):
    model: Model = DEFAULT_MODEL


class CreditRow(BaseModel):
    campaign_id: str | None = None
    allocation_id: str | None = None
    channel: Channel | None = None
    currency: str | None = Field(description="of value_micros; null for conversions without value")
    conversions: float = Field(
        ge=0, description="credited conversions (fractions in multi-touch models)"
    )
    value_micros: float | None = Field(description="credited value in micros of currency")


class Attribution(BaseModel):
    model_config = ConfigDict(serialize_by_alias=True)

    model: Model
    by: By
    from_: date = Field(serialization_alias="from")
    to: date
    lookback_days: int
    half_life_days: float
    computed_by: Literal["view", "engine"] = Field(
        description="view: reachops.attributed_conversions_daily; engine: computed for this "
        "request's look-back or half-life"
    )
    rows: list[CreditRow]
    total_conversions: float
    note: str | None = Field(default=None, description="why rows may be missing")


class AttributionComparison(BaseModel):
    model_config = ConfigDict(serialize_by_alias=True)

    by: By
    from_: date = Field(serialization_alias="from")
    to: date
    models: list[Attribution]


class ManualResolution(ApiModel):
    """A person's resolution of one session; at least one target."""

    model_config = ConfigDict(validate_default=True)

    site_id: Id
    session_id: Id
    campaign_id: Id | None = None
    allocation_id: Id | None = Field(default=None, description="needs campaign_id")
    paid_campaign_id: Id | None = Field(
        default=None, description="a synced Meta campaign's id; campaign_id or this is required"
    )

    @field_validator("allocation_id")
    @classmethod
    def _of_a_campaign(cls, allocation_id: str | None, info: ValidationInfo) -> str | None:
        if allocation_id is not None and info.data.get("campaign_id") is None:
            raise ValueError("needs the allocation's campaign_id")
        return allocation_id

    @field_validator("paid_campaign_id")
    @classmethod
    def _names_a_target(cls, paid_campaign_id: str | None, info: ValidationInfo) -> str | None:
        if paid_campaign_id is None and info.data.get("campaign_id") is None:
            raise ValueError("name a campaign_id or a paid_campaign_id")
        return paid_campaign_id


class SessionResolution(BaseModel):
    site_id: str
    session_id: str
    visitor_id: str | None
    started_at: datetime
    landing_url: str | None
    channel: Channel
    campaign_id: str | None
    allocation_id: str | None
    paid_campaign_id: str | None
    method: Method | None
    unresolved_reason: str | None
    manual: bool
    resolved_at: datetime
