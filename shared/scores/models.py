"""Scores as the API takes and returns them, and the period keys that make each run idempotent.

A score is a record: a person, a type, the period it was computed for, the value, the
breakdown behind it, when it was computed and when it expires (the next run of its type is
due). A rerun of a period replaces that period's rows, so a scheduled job that runs twice in a
day (or a week, for churn risk) ends in the state one run leaves.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

from shared.model_base import ApiModel, PageLimit, QueryModel

ScoreType = Literal["nps", "engagement", "clv", "churn_risk"]
SCORE_TYPES: tuple[ScoreType, ...] = ("nps", "engagement", "clv", "churn_risk")
Cadence = Literal["day", "week"]
CADENCE: dict[str, Cadence] = {
    "nps": "day",
    "engagement": "day",
    "clv": "day",
    "churn_risk": "week",
}
"""How often each type is recomputed (the scheduled jobs); the period key follows it."""
STALE_AFTER = timedelta(hours=6)
"""Grace after a period's end before its value counts as expired (a late scheduled run)."""
PersonId = Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{1,64}$")]


def period_of(score_type: str, moment: datetime) -> tuple[str, date]:
    """The period key and first day of `moment` (UTC) for a type: '2026-12-02' for a daily
    type, the ISO week '2026-W49' (from Monday) for a weekly one."""
    day = moment.astimezone(UTC).date()
    if CADENCE[score_type] == "day":
        return day.isoformat(), day
    year, week, weekday = day.isocalendar()
    return f"{year}-W{week:02d}", day - timedelta(days=weekday - 1)


def period_end(score_type: str, moment: datetime) -> datetime:
    """The last instant of `moment`'s period (UTC): what a scheduled run scores as of, so a
    rerun in the same period, seconds or days later, gives the same figures on the same data
    (recency and decay counted to a fixed instant, not to when the job happened to run)."""
    _, start = period_of(score_type, moment)
    length = timedelta(days=1 if CADENCE[score_type] == "day" else 7)
    return datetime.combine(start, time(), UTC) + length - timedelta(microseconds=1)


def expires_at(score_type: str, period_start: date) -> datetime:
    """The end of the period plus STALE_AFTER: when the next scheduled run should have
    replaced the value."""
    length = timedelta(days=1 if CADENCE[score_type] == "day" else 7)
    return datetime.combine(period_start, time(), UTC) + length + STALE_AFTER


class CustomerScore(BaseModel):
    person_id: str
    score_type: ScoreType
    period: str = Field(description="'2026-12-02' (daily types) or '2026-W49' (churn_risk)")
    value: float = Field(
        description="nps: the latest rating on 0-10; engagement: decayed points; clv: micros "
        "of `currency`; churn_risk: 0-100"
    )
    currency: str | None = Field(description="clv's currency; null for the other types")
    breakdown: dict[str, Any] = Field(description="the components behind the value")
    computed_at: datetime
    expires_at: datetime

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> CustomerScore:
        return cls(
            person_id=row["person_id"],
            score_type=row["score_type"],
            period=row["period"],
            value=float(row["value"]),
            currency=row["currency"],
            breakdown=json.loads(row["breakdown_json"]),
            computed_at=row["computed_at"],
            expires_at=row["expires_at"],
        )


class RankedScore(CustomerScore):
    rank: int = Field(description="1 for the highest value")


class PersonScores(BaseModel):
    items: list[CustomerScore] = Field(description="the current score of each type (none yet: [])")


class Leaderboard(BaseModel):
    score_type: ScoreType
    items: list[RankedScore]


class ScoreQuery(QueryModel):
    type: ScoreType | None = None
    min_value: float | None = None
    max_value: float | None = None
    limit: PageLimit | None = None
    cursor: str | None = None


class LeaderboardQuery(QueryModel):
    type: ScoreType = "engagement"
    limit: Annotated[int, Field(ge=1, le=100)] = 10


class AtRiskQuery(QueryModel):
    min_risk: Annotated[float, Field(ge=0, le=100)] = 60.0
    limit: PageLimit | None = None
    cursor: str | None = None


class TopEngagedQuery(QueryModel):
    limit: PageLimit | None = None
    cursor: str | None = None


class ScoreRun(BaseModel):
    """One calculation of one type for one period (also stored, with its diagnostics, in
    orgs/{org}/score_runs/{type}_{period})."""

    score_type: ScoreType
    period: str
    computed_at: datetime
    persons_scored: int
    diagnostics: dict[str, Any] = Field(
        description="the run's inputs and checks (CLV: the fits and the holdout test)"
    )


EngagementEvent = Literal[
    "purchase", "feedback", "social_engage", "form_submit", "page_view", "lead_capture"
]
Weight = Annotated[float, Field(ge=0, le=1000)]


class EngagementSettings(ApiModel):
    """The organization's engagement weights (points per event kind) and recency half-life."""

    weights: dict[EngagementEvent, Weight] | None = Field(
        default=None, description="points per event; kinds left out keep the default"
    )
    half_life_days: Annotated[float, Field(gt=0, le=3650)] | None = None
