"""Block bootstrap of a channel's curve: intervals that respect day-to-day correlation.

Errors on consecutive days are correlated (a promotion week, a tracking outage, a creative
wearing out), so resampling days one at a time would understate how unsure a curve is. Each
sample keeps the spend as it was (its order carries the adstock) and adds to the curve's fitted
values the residuals of `block_days` consecutive observed days at a time, from circular moving
blocks (a block that runs past the last day wraps to the first, so every day is drawn equally
often); then the same curve form, with or without weekday factors as the point fit, is refitted
starting from the point estimate. Channels are resampled independently.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np

from shared.paid.budget.curves import Index, ResponseCurve, Series, fit_model, scaled_start


def block_indices(n: int, block_days: int, rng: np.random.Generator) -> Index:
    """n positions drawn as consecutive runs of `block_days` from random circular starts."""
    length = max(1, min(block_days, n))
    starts = rng.integers(0, n, size=math.ceil(n / length))
    runs = (starts[:, None] + np.arange(length)[None, :]) % n
    indices: Index = np.asarray(runs.reshape(-1)[:n], dtype=np.intp)
    return indices


def bootstrap_curves(
    series: Series,
    curve: ResponseCurve,
    samples: int,
    block_days: int,
    rng: np.random.Generator,
) -> list[ResponseCurve | None]:
    """One refitted curve per sample (None where the refit failed)."""
    fitted = curve.fitted(series)
    residuals = series.goal - fitted
    start = [scaled_start(curve, series)]
    weekdays = curve.weekday_factors is not None
    refits: list[ResponseCurve | None] = []
    for _ in range(samples):
        drawn = residuals[block_indices(len(residuals), block_days, rng)]
        resampled = replace(series, goal=fitted + drawn)
        refits.append(fit_model(resampled, curve.model, weekdays, start))
    return refits


def percentile_interval(values: list[float], level: float) -> tuple[float, float] | None:
    """The central `level` percentile interval, or None without values."""
    if not values:
        return None
    tail = (1 - level) / 2 * 100
    low, high = np.percentile(values, [tail, 100 - tail])
    return float(low), float(high)
