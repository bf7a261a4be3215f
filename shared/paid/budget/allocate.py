"""The budget recommendation: curves per channel, bounds, the best split, intervals, labels.

Every expected goal is that of a steady daily spend kept up (carry-over included) on an average
weekday, per day. A channel's interval is of its expected goal at the recommendation; the
advice's intervals are of the summed goal and of the uplift over recent spend, over the
bootstrap samples in which every channel's refit succeeded (`bootstrap_failed` counts the rest).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

import numpy as np

from shared.paid.budget.adstock import Array
from shared.paid.budget.bootstrap import bootstrap_curves, percentile_interval
from shared.paid.budget.confidence import Confidence, Evidence, label, weakest
from shared.paid.budget.curves import (
    DEFAULT_CURVE,
    ChannelHistory,
    CurveFit,
    CurveSettings,
    ResponseCurve,
    Series,
    fit_history,
    weekday_names,
)
from shared.paid.budget.optimizer import (
    BoundSettings,
    ChannelBounds,
    UpperLimit,
    at_bound,
    channel_bounds,
    optimise,
    whole_micros,
)

Interval = tuple[float, float]


@dataclass(frozen=True)
class AllocatorSettings:
    bounds: BoundSettings = field(default_factory=BoundSettings)
    recent_days: int = 28
    bootstrap_samples: int = 100
    block_days: int = 7
    interval_level: float = 0.90
    seed: int = 0
    curve: CurveSettings = DEFAULT_CURVE


DEFAULT_ALLOCATOR = AllocatorSettings()


@dataclass(frozen=True)
class ChannelAllocation:
    channel: str
    curve: ResponseCurve
    weekday_factors: dict[str, float] | None
    parameter_intervals: dict[str, Interval]
    current_daily_micros: int
    lower_micros: int
    upper_micros: int
    upper_limited_by: UpperLimit
    observed_min_daily_micros: int
    observed_max_daily_micros: int
    recommended_daily_micros: int
    at_bound: Literal["lower", "upper"] | None
    extrapolating: bool
    extrapolation_note: str | None
    marginal_return_before: float
    marginal_return_after: float
    expected_goal_before: float
    expected_goal_after: float
    expected_goal_after_interval: Interval | None
    spend_cv: float
    confidence: Confidence
    confidence_reasons: tuple[str, ...]


@dataclass(frozen=True)
class Allocation:
    status: Literal["ok", "no_channels", "infeasible", "optimizer_failed"]
    reason: str | None
    total_daily_budget_micros: int
    allow_extrapolation: bool = False
    channels: tuple[ChannelAllocation, ...] = ()
    excluded: tuple[CurveFit, ...] = ()
    """Channels left out, each with why (insufficient history, no fit, no recent spend)."""
    confidence: Confidence | None = None
    """The weakest channel's label; None without a recommendation."""
    expected_goal: float | None = None
    expected_goal_interval: Interval | None = None
    current_expected_goal: float | None = None
    """The curves' expected daily goal at the channels' recent spend (which may total more or
    less than the budget)."""
    uplift_interval: Interval | None = None
    """Interval of expected_goal - current_expected_goal, from the same bootstrap samples."""
    bootstrap_samples: int = 0
    bootstrap_failed: int = 0
    block_days: int = 0
    interval_level: float = 0.0
    seed: int = 0


@dataclass(frozen=True)
class _Fitted:
    channel: str
    curve: ResponseCurve
    series: Series
    current: int
    bounds: ChannelBounds


def recommend_allocation(
    histories: Sequence[ChannelHistory],
    total_daily_budget_micros: int,
    settings: AllocatorSettings = DEFAULT_ALLOCATOR,
    *,
    allow_extrapolation: bool = False,
) -> Allocation:
    """Split a total daily budget across channels to maximise the summed expected goal."""
    total = total_daily_budget_micros
    fitted, excluded = _fitted_channels(histories, settings, allow_extrapolation)
    empty = Allocation(
        status="ok",
        reason=None,
        total_daily_budget_micros=total,
        allow_extrapolation=allow_extrapolation,
        excluded=tuple(excluded),
        bootstrap_samples=settings.bootstrap_samples,
        block_days=settings.block_days,
        interval_level=settings.interval_level,
        seed=settings.seed,
    )
    if not fitted:
        return replace(empty, status="no_channels", reason="no channel has a usable curve")
    lower = np.array([f.bounds.lower for f in fitted], dtype=float)
    upper = np.array([f.bounds.upper for f in fitted], dtype=float)
    if not lower.sum() <= total <= upper.sum():
        reason = _infeasible(lower, upper, settings, allow_extrapolation)
        return replace(empty, status="infeasible", reason=reason)
    current = np.array([float(f.current) for f in fitted])
    best = optimise([f.curve for f in fitted], current, lower, upper, total)
    if best is None:
        return replace(empty, status="optimizer_failed", reason="SLSQP did not converge")
    recommended = whole_micros(best, lower, upper, total)
    rng = np.random.default_rng(settings.seed)
    samples = [
        bootstrap_curves(f.series, f.curve, settings.bootstrap_samples, settings.block_days, rng)
        for f in fitted
    ]
    channels = tuple(
        _channel(f, rec, refits, settings.interval_level)
        for f, rec, refits in zip(fitted, recommended, samples, strict=True)
    )
    after, uplift = _totals(fitted, recommended, samples)
    return replace(
        empty,
        channels=channels,
        confidence=weakest(c.confidence for c in channels),
        expected_goal=sum(c.expected_goal_after for c in channels),
        expected_goal_interval=percentile_interval(after, settings.interval_level),
        current_expected_goal=sum(c.expected_goal_before for c in channels),
        uplift_interval=percentile_interval(uplift, settings.interval_level),
        bootstrap_failed=settings.bootstrap_samples - len(after),
    )


def _infeasible(lower: Array, upper: Array, settings: AllocatorSettings, allowed: bool) -> str:
    b = settings.bounds
    cap = (
        ""
        if allowed
        else f", and at most {b.history_multiplier}x the highest daily spend each has had"
    )
    return (
        f"the budget must lie between {int(lower.sum())} and {int(upper.sum())} micros a day "
        f"({b.lower_multiplier}x to {b.upper_multiplier}x the recent spend of the channels "
        f"with a curve{cap})"
    )


def _fitted_channels(
    histories: Sequence[ChannelHistory], settings: AllocatorSettings, allow_extrapolation: bool
) -> tuple[list[_Fitted], list[CurveFit]]:
    fitted: list[_Fitted] = []
    excluded: list[CurveFit] = []
    for history in histories:
        fit, series = fit_history(history, settings.curve)
        if fit.curve is None or series is None:
            excluded.append(fit)
            continue
        recent = [s for s in history.spend_micros if s is not None][-settings.recent_days :]
        average = round(sum(recent) / len(recent)) if recent else 0
        if average <= 0:
            reason = f"no spend in its last {settings.recent_days} days: no bounds to allocate in"
            excluded.append(replace(fit, status="no_recent_spend", reason=reason))
            continue
        bounds = channel_bounds(average, series.spend_max, settings.bounds, allow_extrapolation)
        fitted.append(_Fitted(history.channel, fit.curve, series, average, bounds))
    return fitted, excluded


def _channel(
    fitted: _Fitted, recommended: int, refits: list[ResponseCurve | None], level: float
) -> ChannelAllocation:
    curve, series, bounds = fitted.curve, fitted.series, fitted.bounds
    good = [r for r in refits if r is not None]
    expected = curve.predict(recommended)
    interval = percentile_interval([r.predict(recommended) for r in good], level)
    note = _extrapolation_note(recommended, series)
    evidence = Evidence(
        days=series.spend_days,
        spend_cv=series.spend_cv,
        relative_interval=(interval[1] - interval[0]) / expected
        if interval is not None and expected > 0
        else None,
        r2=curve.r2,
        extrapolating=note is not None,
    )
    confidence, reasons = label(evidence)
    parameter_intervals = {
        name: bounds_of
        for name in curve.parameters()
        if (bounds_of := percentile_interval([r.parameters()[name] for r in good], level))
    }
    return ChannelAllocation(
        channel=fitted.channel,
        curve=curve,
        weekday_factors=weekday_names(curve, series),
        parameter_intervals=parameter_intervals,
        current_daily_micros=fitted.current,
        lower_micros=bounds.lower,
        upper_micros=bounds.upper,
        upper_limited_by=bounds.limited_by,
        observed_min_daily_micros=series.spend_min,
        observed_max_daily_micros=series.spend_max,
        recommended_daily_micros=recommended,
        at_bound=at_bound(recommended, bounds),
        extrapolating=note is not None,
        extrapolation_note=note,
        marginal_return_before=curve.marginal_return(fitted.current),
        marginal_return_after=curve.marginal_return(recommended),
        expected_goal_before=curve.predict(fitted.current),
        expected_goal_after=expected,
        expected_goal_after_interval=interval,
        spend_cv=series.spend_cv,
        confidence=confidence,
        confidence_reasons=reasons,
    )


def _extrapolation_note(recommended: int, series: Series) -> str | None:
    if recommended > series.spend_max:
        return (
            f"{recommended} micros a day is above the most this channel has spent in a day "
            f"({series.spend_max}): the curve there is extrapolated, not observed"
        )
    if recommended < series.spend_min:
        return (
            f"{recommended} micros a day is below the least this channel has spent in a day "
            f"({series.spend_min}): the curve there is extrapolated, not observed"
        )
    return None


def _totals(
    fitted: list[_Fitted], recommended: list[int], samples: list[list[ResponseCurve | None]]
) -> tuple[list[float], list[float]]:
    """Per bootstrap sample in which every channel's refit succeeded: the summed expected goal
    at the recommendation, and its difference from the summed goal at recent spend."""
    after: list[float] = []
    uplift: list[float] = []
    for draw in zip(*samples, strict=True):
        if any(curve is None for curve in draw):
            continue
        curves = [c for c in draw if c is not None]
        total_after = sum(c.predict(r) for c, r in zip(curves, recommended, strict=True))
        total_before = sum(c.predict(f.current) for c, f in zip(curves, fitted, strict=True))
        after.append(total_after)
        uplift.append(total_after - total_before)
    return after, uplift
