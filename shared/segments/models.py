"""Segments as the API takes and returns them.

A segment is either `rules` (criteria JSON, see shared/segments/criteria.py, compiled to SQL)
or `rfm` (purchases in one currency scored into RFM quintiles and named by
shared/segments/rfm_segments.yaml; `segment` keeps one name, left out keeps every scored
person). Members are what the latest calculation found: `POST .../calculate` now, and the daily
job for every active segment with `auto_update`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, StringConstraints, field_validator

from shared.model_base import ApiModel, Name, PageLimit, QueryModel, not_null
from shared.segments.criteria import MAX_WINDOW_DAYS
from shared.segments.rfm import rfm_names

SegmentKind = Literal["rules", "rfm"]
Description = Annotated[str, StringConstraints(max_length=1000)]
Currency = Annotated[str, Field(pattern=r"^[A-Z]{3}$")]
DEFAULT_LOOKBACK_DAYS = 365


def check_rfm_name(name: str | None) -> str | None:
    if name is not None and name not in rfm_names():
        raise ValueError(f"is not an RFM segment (one of {', '.join(rfm_names())})")
    return name


class RfmSettings(ApiModel):
    currency: Currency = Field(description="purchases in this ISO 4217 currency are scored")
    lookback_days: int = Field(default=DEFAULT_LOOKBACK_DAYS, ge=1, le=MAX_WINDOW_DAYS)
    segment: str | None = Field(
        default=None, description="one RFM name (e.g. Champions); left out: every scored person"
    )

    _name = field_validator("segment")(check_rfm_name)


class SegmentCreate(ApiModel):
    name: Name
    description: Description | None = None
    kind: SegmentKind = "rules"
    criteria: dict[str, Any] | None = Field(
        default=None, description="rules segments: all/any/not of field and event rules"
    )
    rfm: RfmSettings | None = Field(default=None, description="rfm segments only")
    auto_update: bool = Field(default=True, description="recalculated daily while active")
    active: bool = True


class SegmentUpdate(ApiModel):
    """Fields sent replace the stored ones; the kind stays what it was created as."""

    name: Name | None = None
    description: Description | None = None
    criteria: dict[str, Any] | None = None
    rfm: RfmSettings | None = None
    auto_update: bool | None = None
    active: bool | None = None

    _required = not_null("name", "criteria", "rfm", "auto_update", "active")


class Calculation(BaseModel):
    computed_at: datetime = Field(description="the time the members were evaluated as of")
    members: int


class Segment(BaseModel):
    segment_id: str
    name: str
    description: str | None
    kind: SegmentKind
    criteria: dict[str, Any] | None
    rfm: RfmSettings | None
    auto_update: bool
    active: bool
    revision: int = Field(description="1 at creation, one more on each change")
    created_at: datetime
    created_by: str
    updated_at: datetime
    calculation: Calculation | None = Field(description="the latest; null before the first")
    calculation_reason: str | None = Field(description="why calculation is null")


class SegmentListQuery(QueryModel):
    limit: PageLimit | None = None
    cursor: str | None = None


class MemberQuery(QueryModel):
    limit: PageLimit | None = None
    cursor: str | None = None
    rfm_segment: str | None = Field(default=None, description="RFM segments: one name only")

    _name = field_validator("rfm_segment")(check_rfm_name)


class RfmScores(BaseModel):
    currency: str
    last_purchase_at: datetime
    purchases: int
    monetary_micros: int
    recency: int = Field(ge=1, le=5)
    frequency: int = Field(ge=1, le=5)
    monetary: int = Field(ge=1, le=5)
    segment: str


class SegmentMember(BaseModel):
    person_id: str
    computed_at: datetime
    rfm: RfmScores | None = Field(description="RFM segments only")
