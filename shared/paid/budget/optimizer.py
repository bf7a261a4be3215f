"""The split of a daily budget across channels that maximises the summed expected goal.

Each channel is held between `lower_multiplier` (0.5) and `upper_multiplier` (2) times its recent
average daily spend, as Robyn's allocator bounds channels by default, and, unless the caller
allows extrapolation, at most `history_multiplier` (1.5) times the highest daily spend it has
ever had: beyond what a channel has spent, its curve is the chosen formula's guess, not
something the history shows. SLSQP solves it on budget shares from two starts, the better kept.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from scipy import optimize

from shared.paid import MICROS_PER_UNIT
from shared.paid.budget.adstock import Array
from shared.paid.budget.curves import ResponseCurve

UpperLimit = Literal["recent_spend", "observed_max"]


@dataclass(frozen=True)
class BoundSettings:
    lower_multiplier: float = 0.5
    upper_multiplier: float = 2.0
    history_multiplier: float = 1.5


@dataclass(frozen=True)
class ChannelBounds:
    lower: int
    upper: int
    limited_by: UpperLimit
    """What set the upper bound: 2x the recent spend, or 1.5x the highest daily spend seen."""


def channel_bounds(
    recent_average: int, observed_max: int, settings: BoundSettings, allow_extrapolation: bool
) -> ChannelBounds:
    lower = math.ceil(settings.lower_multiplier * recent_average)
    upper = math.floor(settings.upper_multiplier * recent_average)
    cap = math.floor(settings.history_multiplier * observed_max)
    if not allow_extrapolation and cap < upper:
        return ChannelBounds(lower, max(cap, lower), "observed_max")
    return ChannelBounds(lower, upper, "recent_spend")


def optimise(
    curves: Sequence[ResponseCurve], current: Array, lower: Array, upper: Array, total: int
) -> Array | None:
    """Maximise the summed goal over shares z of the total (x = z * total)."""
    scale = max(sum(abs(c.predict(x)) for c, x in zip(curves, current, strict=True)), 1e-12)

    def objective(z: Array) -> float:
        return -sum(c.predict(zi * total) for c, zi in zip(curves, z, strict=True)) / scale

    def gradient(z: Array) -> Array:
        slopes = [c.marginal_return(zi * total) for c, zi in zip(curves, z, strict=True)]
        return -np.array(slopes) / MICROS_PER_UNIT * total / scale

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


def whole_micros(x: Array, lower: Array, upper: Array, total: int) -> list[int]:
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


def at_bound(recommended: int, bounds: ChannelBounds) -> Literal["lower", "upper"] | None:
    tolerance = max(1, round(1e-4 * (bounds.upper - bounds.lower)))
    if recommended <= bounds.lower + tolerance:
        return "lower"
    if recommended >= bounds.upper - tolerance:
        return "upper"
    return None
