"""The customer profile and timeline as the API returns them. Nothing is invented: a part with
no data is empty or null, with the reason where a reader would ask."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field

from shared.model_base import PageLimit, QueryModel
from shared.scores.models import CustomerScore


class InteractionQuery(QueryModel):
    """`from`/`to`: UTC days, both included (the two years to today by default)."""

    from_: date | None = Field(default=None, alias="from")
    to: date | None = None
    limit: PageLimit | None = None
    cursor: str | None = None


class Interaction(BaseModel):
    occurred_at: datetime
    event: str = Field(
        description="form_submit, feedback, purchase (an order), lead_capture, social_engage "
        "or page_view"
    )
    channel: str | None
    stage: str | None
    source_id: str | None = Field(description="the feedback, response, order or event id")
    visitor_id: str | None
    value_micros: int | None
    currency: str | None


class JourneySummary(BaseModel):
    events: int
    first_seen_at: datetime | None
    last_seen_at: datetime | None
    by_event: dict[str, int]
    by_stage: dict[str, int]
    by_channel: dict[str, int]

    @classmethod
    def of(cls, rows: Sequence[Mapping[str, Any]]) -> JourneySummary:
        def counts(column: str) -> dict[str, int]:
            out: dict[str, int] = {}
            for row in rows:
                key = str(row[column])
                out[key] = out.get(key, 0) + int(row["events"])
            return dict(sorted(out.items()))

        return cls(
            events=sum(int(row["events"]) for row in rows),
            first_seen_at=min((row["first_at"] for row in rows), default=None),
            last_seen_at=max((row["last_at"] for row in rows), default=None),
            by_event=counts("event"),
            by_stage=counts("stage"),
            by_channel=counts("channel"),
        )


class SegmentMembership(BaseModel):
    segment_id: str
    computed_at: datetime


class SentimentSummary(BaseModel):
    scored_feedback: int
    mean_score: float | None = Field(description="-1 to 1; null without scored feedback")
    engines: list[str]
    reason: str | None

    @classmethod
    def of(cls, row: Mapping[str, Any] | None) -> SentimentSummary:
        if row is None:
            return cls(scored_feedback=0, mean_score=None, engines=[], reason="no scored feedback")
        engines = str(row["engines"] or "").split(",")
        return cls(
            scored_feedback=int(row["scored"]),
            mean_score=float(row["mean_score"]),
            engines=[e for e in engines if e],
            reason=None,
        )


class Revenue(BaseModel):
    currency: str
    value_micros: int


class ValueSummary(BaseModel):
    purchases: int
    revenue: list[Revenue] = Field(description="purchases' value per currency, in micros")
    clv: CustomerScore | None = Field(description="the current lifetime-value score, if any")

    @classmethod
    def of(cls, rows: Sequence[Mapping[str, Any]], clv: CustomerScore | None) -> ValueSummary:
        purchases = [row for row in rows if row["event"] == "purchase"]
        revenue: dict[str, int] = {}
        for row in purchases:
            if row["currency"] is not None and row["value_micros"] is not None:
                revenue[row["currency"]] = revenue.get(row["currency"], 0) + int(
                    row["value_micros"]
                )
        return cls(
            purchases=sum(int(row["events"]) for row in purchases),
            revenue=[Revenue(currency=c, value_micros=v) for c, v in sorted(revenue.items())],
            clv=clv,
        )


class CustomerProfile(BaseModel):
    person_id: str
    identity: dict[str, Any] = Field(
        description="the person record; `email` only for ADMIN and OWNER keys"
    )
    journey: JourneySummary
    scores: list[CustomerScore]
    segments: list[SegmentMembership]
    sentiment: SentimentSummary
    value: ValueSummary
