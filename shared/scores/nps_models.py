"""NPS as the API answers it: the score of a period with its margin, optionally its trend by
week or month, its change from a comparison period (with the z-test) and its value by segment.
An empty period is a 200 whose score fields are null, with the reason."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, Field, model_validator

from shared.insights.nps import NpsChange, NpsResult
from shared.model_base import QueryModel

MAX_RANGE_DAYS = 730
DEFAULT_RANGE_DAYS = 30


class NpsQuery(QueryModel):
    """`from`/`to`: UTC days, both included (the 30 days to today by default). `interval` adds
    the trend; `compare_from`/`compare_to` the change from that earlier period; `segment_id`
    narrows everything to a segment's members; `by_segment` adds the score of every segment."""

    from_: date | None = Field(default=None, alias="from")
    to: date | None = None
    interval: Literal["week", "month"] | None = None
    compare_from: date | None = None
    compare_to: date | None = None
    segment_id: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_-]{1,64}$")
    by_segment: bool = False

    @model_validator(mode="after")
    def _compare_both(self) -> NpsQuery:
        if (self.compare_from is None) != (self.compare_to is None):
            raise ValueError("compare_from and compare_to are given together")
        return self


class NpsFigures(BaseModel):
    n: int
    promoters: int
    passives: int
    detractors: int
    score: float | None = Field(description="points from -100 to 100; null when n is 0")
    standard_error: float | None
    margin_of_error: float | None = Field(description="half-width of the 95 % interval")
    confidence: float
    reason: str | None

    @classmethod
    def of(cls, result: NpsResult) -> NpsFigures:
        return cls(**vars(result))


class NpsPeriod(NpsFigures):
    period_start: date


class NpsSegment(NpsFigures):
    segment_id: str


class NpsComparison(BaseModel):
    compare_from: date
    compare_to: date
    before: NpsFigures
    difference: float | None = Field(description="this period's score minus the earlier one's")
    standard_error: float | None
    z: float | None
    p_value: float | None
    significant: bool | None = Field(description="p_value < alpha (two-sided z-test)")
    alpha: float
    reason: str | None

    @classmethod
    def of(cls, since: date, until: date, change: NpsChange) -> NpsComparison:
        return cls(
            compare_from=since,
            compare_to=until,
            before=NpsFigures.of(change.before),
            difference=change.difference,
            standard_error=change.standard_error,
            z=change.z,
            p_value=change.p_value,
            significant=change.significant,
            alpha=change.alpha,
            reason=change.reason,
        )


class NpsReport(NpsFigures):
    since: date
    until: date
    segment_id: str | None
    trend: list[NpsPeriod] | None = Field(description="per week or month when `interval` is set")
    comparison: NpsComparison | None
    segments: list[NpsSegment] | None = Field(description="per segment when `by_segment`")
