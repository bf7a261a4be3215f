"""The budget recommendation as the API returns it (GET /v1/campaigns/{id}/budget/recommendation).

Money is integer micros of the campaign's currency; goals are the campaign's goal metric per
day; marginal returns are goal per one more major unit of currency a day. A figure the advice
cannot give is null, and the reply says why (`reason`, `excluded`, `confidence_reasons`).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from shared.paid.budget.allocate import Allocation, ChannelAllocation, Interval
from shared.paid.budget.confidence import Confidence
from shared.paid.budget.curves import CurveFit
from shared.paid.budget.optimizer import UpperLimit

NO_SPEND = "no paid spend is linked to this campaign"


class Range(BaseModel):
    low: float
    high: float


class Curve(BaseModel):
    model: Literal["hill", "log"] = Field(
        description="hill: top / (1 + (k / A)^s); log: a * log1p(A / b); A is adstocked spend"
    )
    parameters: dict[str, float] = Field(
        description="theta (adstock decay), then top, k_micros, s (hill) or a, b_micros (log)"
    )
    parameter_intervals: dict[str, Range] = Field(
        description="block-bootstrap percentile intervals of the parameters"
    )
    weekday_factors: dict[str, float] | None = Field(
        description="demand by weekday (mean 1); null when too few of each weekday to fit them"
    )
    r2: float
    adjusted_r2: float
    days: int = Field(description="days with spend > 0 and a known goal behind the curve")


class ChannelAdvice(BaseModel):
    channel: str
    confidence: Confidence
    confidence_reasons: list[str] = Field(description="why the label is not the next one up")
    current_daily_micros: int = Field(description="average daily spend over the last 28 days")
    recommended_daily_micros: int
    lower_micros: int
    upper_micros: int
    upper_limited_by: UpperLimit = Field(
        description="recent_spend: 2x the recent spend; observed_max: 1.5x the highest daily "
        "spend seen (lifted by allow_extrapolation)"
    )
    observed_min_daily_micros: int
    observed_max_daily_micros: int
    spend_cv: float = Field(description="coefficient of variation of daily spend")
    extrapolating: bool
    extrapolation_note: str | None
    at_bound: Literal["lower", "upper"] | None
    marginal_return_before: float
    marginal_return_after: float
    expected_goal_before: float
    expected_goal_after: float
    expected_goal_after_interval: Range | None
    curve: Curve


class ExcludedChannel(BaseModel):
    channel: str
    status: Literal["insufficient_history", "no_fit", "no_recent_spend"]
    reason: str | None
    days_with_spend: int


class Bootstrap(BaseModel):
    samples: int
    failed: int = Field(description="samples left out because a channel's refit failed")
    block_days: int
    interval_level: float
    seed: int


class BudgetAdvice(BaseModel):
    status: Literal["ok", "no_channels", "infeasible", "optimizer_failed"]
    reason: str | None
    confidence: Confidence | None = Field(description="the weakest channel's label")
    allow_extrapolation: bool
    channels: list[ChannelAdvice]
    excluded: list[ExcludedChannel]
    expected_goal: float | None
    expected_goal_interval: Range | None
    current_expected_goal: float | None
    uplift_interval: Range | None
    bootstrap: Bootstrap | None


class BudgetRecommendation(BaseModel):
    goal_metric: str
    total_daily_budget_micros: int | None
    advice: BudgetAdvice


def recommendation_reply(
    goal_metric: str, allocation: Allocation | None, allow_extrapolation: bool
) -> BudgetRecommendation:
    """The reply for an allocation, or for a campaign with no linked spend (None)."""
    if allocation is None:
        advice = BudgetAdvice(
            status="no_channels",
            reason=NO_SPEND,
            confidence=None,
            allow_extrapolation=allow_extrapolation,
            channels=[],
            excluded=[],
            expected_goal=None,
            expected_goal_interval=None,
            current_expected_goal=None,
            uplift_interval=None,
            bootstrap=None,
        )
        return BudgetRecommendation(
            goal_metric=goal_metric, total_daily_budget_micros=None, advice=advice
        )
    a = allocation
    advice = BudgetAdvice(
        status=a.status,
        reason=a.reason,
        confidence=a.confidence,
        allow_extrapolation=a.allow_extrapolation,
        channels=[_channel(c) for c in a.channels],
        excluded=[_excluded(e) for e in a.excluded],
        expected_goal=a.expected_goal,
        expected_goal_interval=_range(a.expected_goal_interval),
        current_expected_goal=a.current_expected_goal,
        uplift_interval=_range(a.uplift_interval),
        bootstrap=Bootstrap(
            samples=a.bootstrap_samples,
            failed=a.bootstrap_failed,
            block_days=a.block_days,
            interval_level=a.interval_level,
            seed=a.seed,
        ),
    )
    return BudgetRecommendation(
        goal_metric=goal_metric,
        total_daily_budget_micros=a.total_daily_budget_micros,
        advice=advice,
    )


def _range(interval: Interval | None) -> Range | None:
    return Range(low=interval[0], high=interval[1]) if interval is not None else None


def _excluded(fit: CurveFit) -> ExcludedChannel:
    status = fit.status
    if status == "ok":
        raise ValueError(f"channel {fit.channel} has a curve and is not excluded")
    return ExcludedChannel(
        channel=fit.channel, status=status, reason=fit.reason, days_with_spend=fit.days_with_spend
    )


def _channel(c: ChannelAllocation) -> ChannelAdvice:
    curve = Curve(
        model=c.curve.model,
        parameters=c.curve.parameters(),
        parameter_intervals={
            name: Range(low=low, high=high) for name, (low, high) in c.parameter_intervals.items()
        },
        weekday_factors=c.weekday_factors,
        r2=c.curve.r2,
        adjusted_r2=c.curve.adjusted_r2,
        days=c.curve.days,
    )
    return ChannelAdvice(
        channel=c.channel,
        confidence=c.confidence,
        confidence_reasons=list(c.confidence_reasons),
        current_daily_micros=c.current_daily_micros,
        recommended_daily_micros=c.recommended_daily_micros,
        lower_micros=c.lower_micros,
        upper_micros=c.upper_micros,
        upper_limited_by=c.upper_limited_by,
        observed_min_daily_micros=c.observed_min_daily_micros,
        observed_max_daily_micros=c.observed_max_daily_micros,
        spend_cv=c.spend_cv,
        extrapolating=c.extrapolating,
        extrapolation_note=c.extrapolation_note,
        at_bound=c.at_bound,
        marginal_return_before=c.marginal_return_before,
        marginal_return_after=c.marginal_return_after,
        expected_goal_before=c.expected_goal_before,
        expected_goal_after=c.expected_goal_after,
        expected_goal_after_interval=_range(c.expected_goal_after_interval),
        curve=curve,
    )
