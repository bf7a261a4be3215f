"""How good past forecasts were, on the days that are now complete: pure scoring of
(predicted, lower, upper, actual) days, which bigquery_sql/queries/forecast_accuracy.sql pairs.

* MAPE: mean of |actual - predicted| / |actual|, in percent. A day whose actual is 0 divides
  by zero, so MAPE is null with the reason when any actual is 0 (common for a day without
  spend or conversions); sMAPE is the measure to read then.
* sMAPE: mean of 2 |actual - predicted| / (|actual| + |predicted|), in percent (0..200); a day
  where both are 0 was forecast exactly and scores 0.
* coverage: the share of days whose actual fell inside [lower, upper]; compare it with the
  forecast's nominal level (an 80 % interval should hold about 80 % of days).
Every figure is null, with a reason, when there is no complete day to score.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

ROUNDING = 1e-9
"""Relative slack for floating-point rounding when a bound equals the actual (an interval of a
series the model fits exactly has no width)."""


@dataclass(frozen=True)
class ScoredDay:
    predicted: float
    lower: float
    upper: float
    actual: float


@dataclass(frozen=True)
class Accuracy:
    n_days: int
    mape: float | None
    mape_reason: str | None
    smape: float | None
    coverage: float | None
    nominal_level: float
    reason: str | None = None


def score(days: Sequence[ScoredDay], nominal_level: float) -> Accuracy:
    if not days:
        reason = "no forecast day is complete yet"
        return Accuracy(0, None, reason, None, None, nominal_level, reason)
    predicted = np.array([d.predicted for d in days], dtype=float)
    actual = np.array([d.actual for d in days], dtype=float)
    lower = np.array([d.lower for d in days], dtype=float)
    upper = np.array([d.upper for d in days], dtype=float)
    error = np.abs(actual - predicted)
    zeros = int(np.count_nonzero(actual == 0))
    mape: float | None = None
    mape_reason: str | None = None
    if zeros:
        mape_reason = f"{zeros} of {len(days)} days had an actual of 0, which MAPE divides by"
    else:
        mape = float(np.mean(error / np.abs(actual)) * 100)
    scale = np.abs(actual) + np.abs(predicted)
    ratios = np.divide(2 * error, scale, out=np.zeros_like(error), where=scale > 0)
    slack = ROUNDING * np.maximum(1.0, np.abs(actual))
    inside = (actual >= lower - slack) & (actual <= upper + slack)
    return Accuracy(
        n_days=len(days),
        mape=mape,
        mape_reason=mape_reason,
        smape=float(np.mean(ratios) * 100),
        coverage=float(np.mean(inside)),
        nominal_level=nominal_level,
    )
