"""Budget allocation across channels from diminishing-returns response curves.

Per channel (a platform, or any spend bucket), a curve of the goal metric against daily spend is
fitted to the channel's daily history, by least squares (scipy curve_fit), two ways:

* Hill:  y = top * x^s / (k^s + x^s)   (top: saturation level, k: spend at half of it, s: shape)
* log:   y = a * log1p(x / b)

and the one with the higher adjusted R^2 is kept (R^2 and adjusted R^2 are reported). A curve is
only fitted with enough history: at least `min_days` (14) days with spend > 0 and a known goal,
and spend that varies (coefficient of variation >= `min_spend_cv`, 0.10): with flat spend the data
cannot tell one curve from another. Otherwise the result is "insufficient_history", saying what
is missing; a fit that fails or explains nothing (R^2 <= `min_r2`, 0) is "no_fit". Nothing raises.

The allocator splits a total DAILY budget across the fitted channels to maximise the summed goal
(SLSQP), each channel held between 0.5x and 2x its recent average daily spend (the mean over its
last `recent_days`, 28, days), as Robyn's allocator bounds channels by default. It reports each
channel's marginal return (goal per one major unit of currency, dy/dx) at its recent spend
(before) and at the recommendation (after): at an interior optimum the channels that hit no bound
share one marginal return; `at_bound` names the others. The expected daily goal comes with an
interval from a residual bootstrap (`bootstrap_samples`, 200, with a fixed `seed`): each sample
refits every curve to its fitted values plus resampled residuals. The interval covers the
uncertainty of the curves (the expected goal), not day-to-day noise.

Money is integer micros; recommendations are whole micros that add up to the total exactly.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

import numpy as np
from numpy.typing import NDArray
from scipy import optimize

from shared.paid import MICROS_PER_UNIT

Array = NDArray[np.float64]
Model = Literal["hill", "log"]


@dataclass(frozen=True)
class ChannelHistory:
    """One channel's daily history, oldest day first, one entry per day (None = unknown)."""

    channel: str
    spend_micros: Sequence[int | None]
    goal: Sequence[float | None]


@dataclass(frozen=True)
class CurveSettings:
    min_days: int = 14
    min_spend_cv: float = 0.10
    min_r2: float = 0.0


@dataclass(frozen=True)
class AllocatorSettings:
    lower_multiplier: float = 0.5
    upper_multiplier: float = 2.0
    recent_days: int = 28
    bootstrap_samples: int = 200
    interval_level: float = 0.90
    seed: int = 0
    curve: CurveSettings = field(default_factory=CurveSettings)


DEFAULT_CURVE = CurveSettings()
DEFAULT_ALLOCATOR = AllocatorSettings()


@dataclass(frozen=True)
class ResponseCurve:
    """A fitted curve; x in micros of spend per day, y in goal units per day."""

    model: Model
    params: tuple[float, ...]
    """Hill: (top, k_micros, s); log: (a, b_micros)."""
    r2: float
    adjusted_r2: float
    days: int
    """Days of history behind the fit (spend > 0 and a known goal)."""
    x_scale: float
    y_scale: float

    def predict(self, spend_micros: float) -> float:
        return float(_FORMS[self.model][0](np.array([spend_micros]), *self.params)[0])

    def marginal_return(self, spend_micros: float) -> float:
        """dy/dx: goal per one more major unit of currency per day, at this spend."""
        slope = _FORMS[self.model][1](np.array([spend_micros]), *self.params)[0]
        return float(slope) * MICROS_PER_UNIT


@dataclass(frozen=True)
class CurveFit:
    channel: str
    status: Literal["ok", "insufficient_history", "no_fit", "no_recent_spend"]
    reason: str | None
    days_with_spend: int
    curve: ResponseCurve | None = None


@dataclass(frozen=True)
class ChannelAllocation:
    channel: str
    curve: ResponseCurve
    current_daily_micros: int
    lower_micros: int
    upper_micros: int
    recommended_daily_micros: int
    at_bound: Literal["lower", "upper"] | None
    marginal_return_before: float
    marginal_return_after: float
    expected_goal_before: float
    expected_goal_after: float


@dataclass(frozen=True)
class Allocation:
    status: Literal["ok", "no_channels", "infeasible", "optimizer_failed"]
    reason: str | None
    total_daily_budget_micros: int
    channels: tuple[ChannelAllocation, ...] = ()
    excluded: tuple[CurveFit, ...] = ()
    """Channels left out, each with why (insufficient history, no fit, no recent spend)."""
    expected_goal: float | None = None
    expected_goal_interval: tuple[float, float] | None = None
    current_expected_goal: float | None = None
    """The curves' expected daily goal at the channels' recent spend (which may total more or
    less than the budget)."""
    uplift_interval: tuple[float, float] | None = None
    """Interval of expected_goal - current_expected_goal, from the same bootstrap samples."""
    bootstrap_samples: int = 0
    bootstrap_failed: int = 0
    interval_level: float = 0.0
    seed: int = 0


# --- curves -------------------------------------------------------------------------------------


def _hill(x: Array, top: float, k: float, s: float) -> Array:
    """top / (1 + (k/x)^s), the same curve written to stay finite for large x."""
    with np.errstate(over="ignore", divide="ignore"):
        result: Array = np.where(x > 0, top / (1.0 + (k / np.maximum(x, 1e-300)) ** s), 0.0)
    return result


def _hill_slope(x: Array, top: float, k: float, s: float) -> Array:
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        safe = np.maximum(x, 1e-300)
        ratio = (k / safe) ** s
        result: Array = np.nan_to_num(top * s * ratio / (safe * (1.0 + ratio) ** 2))
    return result


def _log(x: Array, a: float, b: float) -> Array:
    result: Array = a * np.log1p(x / b)
    return result


def _log_slope(x: Array, a: float, b: float) -> Array:
    result: Array = a / (b + x)
    return result


_FORMS: dict[Model, tuple[Callable[..., Array], Callable[..., Array]]] = {
    "hill": (_hill, _hill_slope),
    "log": (_log, _log_slope),
}


def _usable(history: ChannelHistory) -> tuple[Array, Array]:
    pairs = [
        (float(x), float(y))
        for x, y in zip(history.spend_micros, history.goal, strict=True)
        if x is not None and y is not None and x > 0 and math.isfinite(y)
    ]
    return np.array([p[0] for p in pairs]), np.array([p[1] for p in pairs])


def fit_response_curve(
    history: ChannelHistory, settings: CurveSettings = DEFAULT_CURVE
) -> CurveFit:
    if len(history.spend_micros) != len(history.goal):
        reason = "spend and goal must have one entry per day each"
        return CurveFit(history.channel, "no_fit", reason, 0)
    x, y = _usable(history)
    problem = _history_problem(x, y, settings)
    if problem:
        return CurveFit(history.channel, problem[0], problem[1], len(x))
    fits = [fit for model in _FORMS if (fit := _fit(model, x, y)) is not None]
    if not fits:
        return CurveFit(history.channel, "no_fit", "neither curve could be fitted", len(x))
    best = max(fits, key=lambda curve: curve.adjusted_r2)
    if best.r2 <= settings.min_r2:
        reason = f"the best curve ({best.model}) explains too little (R^2 {best.r2:.3f})"
        return CurveFit(history.channel, "no_fit", reason, len(x))
    return CurveFit(history.channel, "ok", None, len(x), best)


def _history_problem(
    x: Array, y: Array, settings: CurveSettings
) -> tuple[Literal["insufficient_history", "no_fit"], str] | None:
    if len(x) < settings.min_days:
        return (
            "insufficient_history",
            f"{len(x)} days with spend > 0 and a known goal; need {settings.min_days}",
        )
    cv = float(np.std(x) / np.mean(x))
    if cv < settings.min_spend_cv:
        return (
            "insufficient_history",
            f"daily spend barely varies (coefficient of variation {cv:.3f}; need "
            f"{settings.min_spend_cv:.2f}), so its effect on the goal cannot be measured",
        )
    if float(np.var(y)) == 0.0:
        return "no_fit", "the goal never varies"
    return None


def _fit(
    model: Model, x: Array, y: Array, start: tuple[float, ...] | None = None
) -> ResponseCurve | None:
    """Least squares on x and y scaled to a mean of 1, for a well-conditioned problem."""
    x_scale, y_scale = float(np.mean(x)), float(np.mean(np.abs(y))) or 1.0
    u, v = x / x_scale, y / y_scale
    top = max(float(np.max(v)), 1e-6)
    if model == "hill":
        p0 = [2 * top, 1.0, 1.0]
        bounds = ([1e-9, 1e-3, 0.3], [100 * top, 100 * float(np.max(u)), 3.0])
    else:
        p0, bounds = [top, 1.0], ([1e-9, 1e-4], [np.inf, 1e4])
    if start is not None:
        p0 = [min(max(p, lo), hi) for p, lo, hi in zip(start, *bounds, strict=True)]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", optimize.OptimizeWarning)
            scaled, _ = optimize.curve_fit(
                _FORMS[model][0], u, v, p0=p0, bounds=bounds, method="trf", maxfev=5000
            )
    except (RuntimeError, ValueError):
        return None
    params = _unscale(model, tuple(float(p) for p in scaled), x_scale, y_scale)
    fitted = _FORMS[model][0](x, *params)
    total = float(np.sum((y - np.mean(y)) ** 2))
    r2 = 1 - float(np.sum((y - fitted) ** 2)) / total
    n, k = len(x), len(p0)
    adjusted = 1 - (1 - r2) * (n - 1) / (n - k - 1) if n > k + 1 else r2
    return ResponseCurve(model, params, r2, adjusted, n, x_scale, y_scale)


def _unscale(model: Model, p: tuple[float, ...], xs: float, ys: float) -> tuple[float, ...]:
    if model == "hill":
        return (p[0] * ys, p[1] * xs, p[2])
    return (p[0] * ys, p[1] * xs)


def _scaled_start(curve: ResponseCurve) -> tuple[float, ...]:
    p, xs, ys = curve.params, curve.x_scale, curve.y_scale
    if curve.model == "hill":
        return (p[0] / ys, p[1] / xs, p[2])
    return (p[0] / ys, p[1] / xs)


# --- allocation ---------------------------------------------------------------------------------


def recommend_allocation(
    histories: Sequence[ChannelHistory],
    total_daily_budget_micros: int,
    settings: AllocatorSettings = DEFAULT_ALLOCATOR,
) -> Allocation:
    """Split a total daily budget across channels to maximise the summed expected goal."""
    total = total_daily_budget_micros
    fitted, excluded = _fitted_channels(histories, settings)
    empty = Allocation(
        status="ok",
        reason=None,
        total_daily_budget_micros=total,
        excluded=tuple(excluded),
        bootstrap_samples=settings.bootstrap_samples,
        interval_level=settings.interval_level,
        seed=settings.seed,
    )
    if not fitted:
        return replace(empty, status="no_channels", reason="no channel has a usable curve")
    lower = np.array([f.lower for f in fitted], dtype=float)
    upper = np.array([f.upper for f in fitted], dtype=float)
    if not lower.sum() <= total <= upper.sum():
        reason = (
            f"the budget must lie between {int(lower.sum())} and {int(upper.sum())} micros a day "
            f"({settings.lower_multiplier}x to {settings.upper_multiplier}x the recent spend "
            "of the channels with a curve)"
        )
        return replace(empty, status="infeasible", reason=reason)
    best = _optimise(fitted, lower, upper, total)
    if best is None:
        return replace(empty, status="optimizer_failed", reason="SLSQP did not converge")
    recommended = _whole_micros(best, lower, upper, total)
    channels = tuple(_channel(f, rec) for f, rec in zip(fitted, recommended, strict=True))
    interval, uplift, failed = _bootstrap(fitted, recommended, settings)
    return replace(
        empty,
        channels=channels,
        expected_goal=sum(c.expected_goal_after for c in channels),
        expected_goal_interval=interval,
        current_expected_goal=sum(c.expected_goal_before for c in channels),
        uplift_interval=uplift,
        bootstrap_failed=failed,
    )


@dataclass(frozen=True)
class _Fitted:
    channel: str
    curve: ResponseCurve
    x: Array
    y: Array
    current: int
    lower: int
    upper: int


def _fitted_channels(
    histories: Sequence[ChannelHistory], settings: AllocatorSettings
) -> tuple[list[_Fitted], list[CurveFit]]:
    fitted: list[_Fitted] = []
    excluded: list[CurveFit] = []
    for history in histories:
        fit = fit_response_curve(history, settings.curve)
        if fit.curve is None:
            excluded.append(fit)
            continue
        recent = [s for s in history.spend_micros if s is not None][-settings.recent_days :]
        average = round(sum(recent) / len(recent)) if recent else 0
        if average <= 0:
            reason = f"no spend in its last {settings.recent_days} days: no bounds to allocate in"
            excluded.append(replace(fit, status="no_recent_spend", reason=reason))
            continue
        x, y = _usable(history)
        lower = math.ceil(settings.lower_multiplier * average)
        upper = math.floor(settings.upper_multiplier * average)
        fitted.append(_Fitted(history.channel, fit.curve, x, y, average, lower, upper))
    return fitted, excluded


def _optimise(fitted: list[_Fitted], lower: Array, upper: Array, total: int) -> Array | None:
    """Maximise the summed goal over shares z (x = z * total); two starts, the best kept."""
    curves = [f.curve for f in fitted]
    current = np.array([float(f.current) for f in fitted])
    scale = max(sum(abs(f.curve.predict(f.current)) for f in fitted), 1e-12)

    def objective(z: Array) -> float:
        return -sum(c.predict(zi * total) for c, zi in zip(curves, z, strict=True)) / scale

    def gradient(z: Array) -> Array:
        slopes = [
            c.marginal_return(zi * total) / MICROS_PER_UNIT for c, zi in zip(curves, z, strict=True)
        ]
        return -np.array(slopes) * total / scale

    def budget_used(z: Array) -> float:
        return float(np.sum(z)) - 1.0

    bounds = list(zip(lower / total, upper / total, strict=True))
    room = float((upper - lower).sum())
    share_of_room = (total - float(lower.sum())) / room if room else 0.0
    starts = [
        (lower + (upper - lower) * share_of_room) / total,  # feasible: the same share of each room
        np.clip(current / current.sum(), lower / total, upper / total),  # today's mix
    ]
    best: Array | None = None
    best_value = math.inf
    for start in starts:
        found = optimize.minimize(
            objective,
            start,
            jac=gradient,
            method="SLSQP",
            bounds=bounds,
            constraints=[{"type": "eq", "fun": budget_used, "jac": np.ones_like}],
            options={"ftol": 1e-12, "maxiter": 500},
        )
        if found.success and found.fun < best_value:
            best, best_value = np.asarray(found.x, dtype=float) * total, float(found.fun)
    return best


def _whole_micros(x: Array, lower: Array, upper: Array, total: int) -> list[int]:
    """Whole micros within the bounds adding up to `total` exactly."""
    whole = [
        int(min(max(math.floor(v), lo), hi)) for v, lo, hi in zip(x, lower, upper, strict=True)
    ]
    gap = total - sum(whole)
    order = sorted(range(len(x)), key=lambda i: x[i] - whole[i], reverse=gap > 0)
    for i in order:
        room = int(upper[i]) - whole[i] if gap > 0 else whole[i] - int(lower[i])
        step = min(abs(gap), room)
        whole[i] += step if gap > 0 else -step
        gap -= step if gap > 0 else -step
    return whole


def _channel(fitted: _Fitted, recommended: int) -> ChannelAllocation:
    curve, lower, upper = fitted.curve, fitted.lower, fitted.upper
    tolerance = max(1, round(1e-4 * (upper - lower)))
    bound: Literal["lower", "upper"] | None = None
    if recommended <= lower + tolerance:
        bound = "lower"
    elif recommended >= upper - tolerance:
        bound = "upper"
    return ChannelAllocation(
        channel=fitted.channel,
        curve=curve,
        current_daily_micros=fitted.current,
        lower_micros=lower,
        upper_micros=upper,
        recommended_daily_micros=recommended,
        at_bound=bound,
        marginal_return_before=curve.marginal_return(fitted.current),
        marginal_return_after=curve.marginal_return(recommended),
        expected_goal_before=curve.predict(fitted.current),
        expected_goal_after=curve.predict(recommended),
    )


def _bootstrap(
    fitted: list[_Fitted], recommended: list[int], settings: AllocatorSettings
) -> tuple[tuple[float, float] | None, tuple[float, float] | None, int]:
    """Percentile intervals of the expected goal at the recommendation and of the uplift over
    recent spend, from refits to fitted values plus resampled residuals; and the failed count."""
    if settings.bootstrap_samples <= 0:
        return None, None, 0
    rng = np.random.default_rng(settings.seed)
    after: list[float] = []
    uplift: list[float] = []
    for _ in range(settings.bootstrap_samples):
        total_after = total_before = 0.0
        for f, rec in zip(fitted, recommended, strict=True):
            predicted = _FORMS[f.curve.model][0](f.x, *f.curve.params)
            resampled = predicted + rng.choice(f.y - predicted, size=len(f.y), replace=True)
            refit = _fit(f.curve.model, f.x, resampled, _scaled_start(f.curve))
            if refit is None:
                break
            total_after += refit.predict(rec)
            total_before += refit.predict(f.current)
        else:
            after.append(total_after)
            uplift.append(total_after - total_before)
    failed = settings.bootstrap_samples - len(after)
    if not after:
        return None, None, failed
    tail = (1 - settings.interval_level) / 2 * 100
    low, high = np.percentile(after, [tail, 100 - tail])
    up_low, up_high = np.percentile(uplift, [tail, 100 - tail])
    return (float(low), float(high)), (float(up_low), float(up_high)), failed
