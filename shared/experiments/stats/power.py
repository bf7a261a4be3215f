"""Sample size: how many users the engine's own test needs to detect a relative lift.

The test is the t-test of the relative lift (frequentist.py), whose variance with N users in
total, shares w_A (control) and w_B (a variant), is V / N with
  V = var_B / (u_A^2 w_B) + var_A u_B^2 / (u_A^4 w_A)          (delta method)
so N = (z_(1 - alpha/2) + z_power)^2 V / mde^2 detects a lift of `mde` (z_(1 - alpha) when
one-sided). For a conversion rate p the arms' variances are p (1 - p) and p' (1 - p'),
p' = p (1 + mde). With several variants the largest N over the variants is needed, so every
comparison has the power. `users_needed` is the same formula for an experiment already running,
from the variance its lift estimate has now (V = lift variance x users so far).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import special

from shared.experiments.stats.settings import FloatArray

POWER = 0.8
"""The chance of detecting a true lift of the MDE, when none is given."""


@dataclass(frozen=True)
class SampleSize:
    """Users per variant (in the order of the weights, control first) and in total; None
    with a reason when no size exists."""

    per_variant: tuple[int | None, ...]
    total: int | None
    reason: str | None


def z_sum(alpha: float, power: float, two_sided: bool = True) -> float:
    tail = alpha / 2 if two_sided else alpha
    return float(special.ndtri(1 - tail) + special.ndtri(power))


def users_needed(
    unit_variance: FloatArray, mde: FloatArray, alpha: float, power: float, two_sided: bool
) -> FloatArray:
    """Total users for which a lift estimate of variance unit_variance / N detects `mde`."""
    return z_sum(alpha, power, two_sided) ** 2 * unit_variance / mde**2


def required_sample_size(
    baseline_rate: float,
    mde: float,
    alpha: float = 0.05,
    power: float = POWER,
    weights: Sequence[float] = (0.5, 0.5),
    *,
    two_sided: bool = True,
) -> SampleSize:
    none = tuple(None for _ in weights)
    if not 0 < baseline_rate < 1:
        return SampleSize(none, None, "the baseline rate must be between 0 and 1")
    rate = baseline_rate * (1 + mde)
    if not 0 < rate < 1:
        return SampleSize(none, None, "the lift takes the rate outside 0 to 1")
    total_weight = math.fsum(weights)
    shares = np.asarray(weights, dtype=float) / total_weight if total_weight > 0 else None
    if shares is None or len(weights) < 2 or shares[0] <= 0 or not (shares[1:] > 0).any():
        return SampleSize(none, None, "the control and a variant need a positive weight")
    variant_shares = shares[1:][shares[1:] > 0]
    var_a, var_b = baseline_rate * (1 - baseline_rate), rate * (1 - rate)
    unit = var_b / (baseline_rate**2 * variant_shares) + var_a * rate**2 / (
        baseline_rate**4 * shares[0]
    )
    needed = users_needed(unit, np.full(unit.shape, mde), alpha, power, two_sided).max()
    per_variant = tuple(math.ceil(needed * share) for share in shares)
    return SampleSize(per_variant, sum(per_variant), None)
