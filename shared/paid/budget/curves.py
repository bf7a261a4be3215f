"""Response curves: a channel's daily goal against its adstocked spend, with weekday factors.

    goal_t = weekday_factor[weekday(t)] * f(adstock(spend, theta)_t)

`f` is a Hill curve, top / (1 + (k / A)^s) (Robyn's `saturation_hill`: s the shape, C-shaped at
s <= 1 and S-shaped above; k the adstocked spend at half of the saturation level `top`), or a
log curve, a * log1p(A / b), whichever has the higher adjusted R^2. The weekday factors average
1 over the seven weekdays, so `f` is the response of an average day of the week.

Why multiplicative weekday factors: demand (how many people are ready to convert) differs by
weekday and scales what any spend returns. When budgets also follow the weekday, a curve without
the factors reads the busy days' extra results as the return on their extra spend; with them,
the curve learns only from spend that varies within a weekday. With zero spend the attributed
goal is zero, so there is no intercept.

The fit is least squares over the nonlinear parameters (theta in [0, THETA_MAX], then k and s,
or b), started from several decay rates, because the error surface in theta has more than one
dip. For given nonlinear parameters each weekday's scale (top times its factor) has a
closed-form least-squares solution, so the search stays in two or three dimensions (variable
projection). Weekday factors are fitted only when every weekday has `min_days_per_weekday`
observed days; with fewer the curve has one scale and `weekday_factors` is None.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

import numpy as np
from numpy.typing import NDArray
from scipy import optimize

from shared.paid import MICROS_PER_UNIT
from shared.paid.budget.adstock import THETA_MAX, Array, geometric_adstock, steady_state

Model = Literal["hill", "log"]
Index = NDArray[np.intp]
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
THETA_STARTS = (0.1, 0.6)
"""Starting decay rates of the point fit; the best of the fits from each is kept."""


@dataclass(frozen=True)
class ChannelHistory:
    """One channel's daily history, oldest day first, one entry per day (None = unknown).

    `first_day` dates the first entry, which names the weekday factors; without it they are
    still fitted (by position in the week) but not reported."""

    channel: str
    spend_micros: Sequence[int | None]
    goal: Sequence[float | None]
    first_day: date | None = None


@dataclass(frozen=True)
class CurveSettings:
    min_days: int = 14
    min_spend_cv: float = 0.10
    min_r2: float = 0.0
    min_days_per_weekday: int = 3


DEFAULT_CURVE = CurveSettings()


@dataclass(frozen=True)
class Series:
    """A channel's days ready to fit: every day from its first spend (unknown spend counts as
    none, since a day without an insights row delivered nothing), and the days with a known
    goal that the fit compares with. A bootstrap sample swaps `goal` and keeps the rest."""

    spend: Array
    observed: Index
    goal: Array
    weekday: Index
    """Weekday of each observed day: 0 = Monday when the first day is known, else position."""
    dated: bool
    x_scale: float
    spend_days: int
    """Days with spend > 0 and a known goal: the history the minimum and the label count."""
    spend_cv: float
    spend_min: int
    spend_max: int
    """The least and the most spent on a day with spend, goal known or not."""


@dataclass(frozen=True)
class ResponseCurve:
    """A fitted curve. Spend in micros a day, goal in goal units a day (an average weekday)."""

    model: Model
    theta: float
    shape: tuple[float, ...]
    """Hill: (k_micros, s), k in adstocked micros; log: (b_micros,)."""
    level: float
    """Hill: top, the saturation level; log: a."""
    weekday_factors: tuple[float, ...] | None
    r2: float
    adjusted_r2: float
    days: int

    def response(self, adstocked: Array) -> Array:
        """The goal of an average weekday at these adstocked spend levels."""
        return self.level * _shape_value(self.model, adstocked, self.shape)

    def predict(self, daily_spend_micros: float) -> float:
        """Goal per day, carry-over included, once this daily spend has been kept up."""
        level = np.array([steady_state(daily_spend_micros, self.theta)])
        return float(self.response(level)[0])

    def marginal_return(self, daily_spend_micros: float) -> float:
        """Goal per one more major unit of currency a day, at this steady daily spend."""
        level = np.array([steady_state(daily_spend_micros, self.theta)])
        slope = self.level * _shape_slope(self.model, level, self.shape)[0]
        return float(slope) / (1.0 - self.theta) * MICROS_PER_UNIT

    def fitted(self, series: Series) -> Array:
        """The curve's value on each observed day of the series, weekday factor included."""
        adstocked = geometric_adstock(series.spend, self.theta)[series.observed]
        values = self.response(adstocked)
        if self.weekday_factors is None:
            return values
        factors: Array = np.array(self.weekday_factors)[series.weekday]
        return values * factors

    def parameters(self) -> dict[str, float]:
        """The curve's parameters by name, as the advice reports them and their intervals."""
        named = {"theta": self.theta}
        if self.model == "hill":
            return {**named, "top": self.level, "k_micros": self.shape[0], "s": self.shape[1]}
        return {**named, "a": self.level, "b_micros": self.shape[0]}


@dataclass(frozen=True)
class CurveFit:
    channel: str
    status: Literal["ok", "insufficient_history", "no_fit", "no_recent_spend"]
    reason: str | None
    days_with_spend: int
    curve: ResponseCurve | None = None


def prepare(history: ChannelHistory) -> Series | None:
    """The history as a Series; None when it has no day with spend > 0 and a known goal."""
    spend = [float(s) if s is not None and s > 0 else 0.0 for s in history.spend_micros]
    known = [
        s is not None and g is not None and math.isfinite(g)
        for s, g in zip(history.spend_micros, history.goal, strict=True)
    ]
    with_spend = [i for i, ok in enumerate(known) if ok and spend[i] > 0]
    if not with_spend:
        return None
    first = with_spend[0]
    observed = np.array([i - first for i in range(first, len(known)) if known[i]], dtype=np.intp)
    positive = np.array([spend[i] for i in with_spend])
    spent = [s for s in spend if s > 0]
    offset = (history.first_day.weekday() if history.first_day else 0) + first
    return Series(
        spend=np.array(spend[first:]),
        observed=observed,
        goal=np.array([float(history.goal[first + i] or 0.0) for i in observed]),
        weekday=np.asarray((observed + offset) % 7, dtype=np.intp),
        dated=history.first_day is not None,
        x_scale=float(np.mean(positive)),
        spend_days=len(with_spend),
        spend_cv=float(np.std(positive) / np.mean(positive)),
        spend_min=int(min(spent)),
        spend_max=int(max(spent)),
    )


def fit_response_curve(
    history: ChannelHistory, settings: CurveSettings = DEFAULT_CURVE
) -> CurveFit:
    """The better of the two curves for one channel, or why there is none (nothing raises)."""
    return fit_history(history, settings)[0]


def fit_history(history: ChannelHistory, settings: CurveSettings) -> tuple[CurveFit, Series | None]:
    """The fit and the series it was fitted on, which the bootstrap resamples."""
    if len(history.spend_micros) != len(history.goal):
        reason = "spend and goal must have one entry per day each"
        return CurveFit(history.channel, "no_fit", reason, 0), None
    series = prepare(history)
    days = series.spend_days if series is not None else 0
    problem = _history_problem(series, settings)
    if problem or series is None:
        status, reason = problem or ("insufficient_history", "no day with spend and a goal")
        return CurveFit(history.channel, status, reason, days), series
    weekdays = _weekdays_fittable(series, settings)
    fits = [
        fit
        for model in ("hill", "log")
        if (fit := fit_model(series, model, weekdays, _starts(model))) is not None
    ]
    if not fits:
        return CurveFit(history.channel, "no_fit", "neither curve could be fitted", days), series
    best = max(fits, key=lambda curve: curve.adjusted_r2)
    if best.r2 <= settings.min_r2:
        reason = f"the best curve ({best.model}) explains too little (R^2 {best.r2:.3f})"
        return CurveFit(history.channel, "no_fit", reason, days), series
    return CurveFit(history.channel, "ok", None, days, best), series


def _history_problem(
    series: Series | None, settings: CurveSettings
) -> tuple[Literal["insufficient_history", "no_fit"], str] | None:
    days = series.spend_days if series is not None else 0
    if series is None or days < settings.min_days:
        return (
            "insufficient_history",
            f"{days} days with spend > 0 and a known goal; need {settings.min_days}",
        )
    if series.spend_cv < settings.min_spend_cv:
        return (
            "insufficient_history",
            f"daily spend barely varies (coefficient of variation {series.spend_cv:.3f}; need "
            f"{settings.min_spend_cv:.2f}), so its effect on the goal cannot be measured",
        )
    if float(np.var(series.goal)) == 0.0:
        return "no_fit", "the goal never varies"
    return None


def _weekdays_fittable(series: Series, settings: CurveSettings) -> bool:
    counts = np.bincount(series.weekday, minlength=7)
    return bool(np.all(counts >= settings.min_days_per_weekday))


def _starts(model: Model) -> list[tuple[float, ...]]:
    """Scaled starting points (theta, log k, s) or (theta, log b): k or b near the mean
    adstocked spend (the spend is scaled to a mean of 1, so that is 1 / (1 - theta))."""
    if model == "hill":
        return [(t, -math.log(1 - t), 1.0) for t in THETA_STARTS]
    return [(t, -math.log(1 - t)) for t in THETA_STARTS]


def scaled_start(curve: ResponseCurve, series: Series) -> tuple[float, ...]:
    """The curve's parameters as a starting point for a refit of the same series."""
    scale, *rest = curve.shape
    return (curve.theta, math.log(scale / series.x_scale), *rest)


def fit_model(
    series: Series, model: Model, weekdays: bool, starts: Sequence[tuple[float, ...]]
) -> ResponseCurve | None:
    """Least squares from each start; the lowest residual sum of squares is kept."""
    u = series.spend / series.x_scale
    y_scale = float(np.mean(np.abs(series.goal))) or 1.0
    y = series.goal / y_scale
    groups = series.weekday if weekdays else np.zeros(len(y), dtype=np.intp)
    size = 7 if weekdays else 1
    top_u = float(np.max(u)) / (1 - THETA_MAX)
    if model == "hill":
        lower, upper = [0.0, math.log(1e-3), 0.3], [THETA_MAX, math.log(100 * top_u), 3.0]
    else:
        lower, upper = [0.0, math.log(1e-4)], [THETA_MAX, math.log(1e4)]

    def scales(p: Array) -> tuple[Array, Array]:
        adstocked = geometric_adstock(u, float(p[0]))[series.observed]
        h = _shape_value(model, adstocked, (math.exp(p[1]), *p[2:]))
        num = np.bincount(groups, weights=h * y, minlength=size)
        den = np.bincount(groups, weights=h * h, minlength=size)
        c: Array = np.maximum(np.divide(num, den, out=np.zeros(size), where=den > 0), 0.0)
        return c, h

    def residuals(p: Array) -> Array:
        c, h = scales(p)
        result: Array = y - c[groups] * h
        return result

    best: Array | None = None
    best_cost = math.inf
    for start in starts:
        x0 = np.clip(np.array(start), np.array(lower) + 1e-9, np.array(upper) - 1e-9)
        try:
            found = optimize.least_squares(residuals, x0, bounds=(lower, upper), method="trf")
        except (ValueError, np.linalg.LinAlgError):
            continue
        if np.isfinite(found.cost) and found.cost < best_cost:
            best, best_cost = np.asarray(found.x, dtype=float), float(found.cost)
    if best is None:
        return None
    c, h = scales(best)
    level = float(np.mean(c))
    if level <= 0:
        return None
    ssr = float(np.sum((y - c[groups] * h) ** 2))
    sst = float(np.sum((y - np.mean(y)) ** 2))
    r2 = 1 - ssr / sst if sst > 0 else 0.0
    n, k = len(y), len(best) + size
    adjusted = 1 - (1 - r2) * (n - 1) / (n - k - 1) if n > k + 1 else r2
    shape = (math.exp(best[1]) * series.x_scale, *(float(v) for v in best[2:]))
    factors = tuple(float(v) for v in c / level) if weekdays else None
    theta = float(best[0])
    return ResponseCurve(
        model, theta, shape, level * y_scale, factors, r2, adjusted, series.spend_days
    )


def _shape_value(model: Model, adstocked: Array, shape: Sequence[float]) -> Array:
    """The curve's shape in [0, 1) (Hill) or [0, inf) (log), before its level."""
    with np.errstate(over="ignore", divide="ignore"):
        if model == "hill":
            k, s = shape
            safe = np.maximum(adstocked, 1e-300)
            hill: Array = np.where(adstocked > 0, 1.0 / (1.0 + (k / safe) ** s), 0.0)
            return hill
        logged: Array = np.log1p(np.maximum(adstocked, 0.0) / shape[0])
        return logged


def _shape_slope(model: Model, adstocked: Array, shape: Sequence[float]) -> Array:
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        if model == "hill":
            k, s = shape
            safe = np.maximum(adstocked, 1e-300)
            ratio = (k / safe) ** s
            hill: Array = np.nan_to_num(s * ratio / (safe * (1.0 + ratio) ** 2))
            return hill
        logged: Array = 1.0 / (shape[0] + np.maximum(adstocked, 0.0))
        return logged


def weekday_names(curve: ResponseCurve, series: Series) -> dict[str, float] | None:
    """The weekday factors by weekday name, when the series is dated and they were fitted."""
    if curve.weekday_factors is None or not series.dated:
        return None
    return dict(zip(WEEKDAYS, curve.weekday_factors, strict=True))
