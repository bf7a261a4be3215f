"""Relative lift and its t-test, as gbstats 0.8.0's frequentist tests (frequentist/tests.py,
difference_type "relative"), on arrays of comparisons.

* lift = (mean_B - mean_A) / unadjusted_mean_A (CUPED-adjusted means over the raw control
  mean, as gbstats);
* its variance by the delta method: var_B / (u_A^2 n_B) + var_A u_B^2 / (u_A^4 n_A), u the
  unadjusted means, var the per-user variance of each arm's statistic;
* Welch's degrees of freedom on the absolute scale; for a binomial metric this is the
  two-proportion test with a t reference, exactly as gbstats runs it;
* two-sided: p = 2 P(T > |z|), interval lift -+ t(1 - alpha/2) se; one-sided ("the variant is
  better", OneSidedTreatmentGreaterTTest): p = P(T > z), interval [lift - t(1 - alpha) se, inf).
p-values use the survival function directly (gbstats writes 1 - cdf, equal to ~1e-16).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import special

from shared.experiments.stats.moments import ArmStats
from shared.experiments.stats.settings import FloatArray


@dataclass(frozen=True)
class Lift:
    """The relative lift of each comparison, the variance of that estimate and Welch's dof."""

    estimate: FloatArray
    variance: FloatArray
    dof: FloatArray

    @property
    def stddev(self) -> FloatArray:
        return np.sqrt(np.where(self.variance > 0, self.variance, np.nan))


@dataclass(frozen=True)
class TestResult:
    p_value: FloatArray
    ci_low: FloatArray
    ci_high: FloatArray


def relative_lift(a: ArmStats, b: ArmStats) -> Lift:
    ua, ub = a.unadjusted_mean, b.unadjusted_mean
    estimate = (b.mean - a.mean) / ua
    variance = b.variance / (ua**2 * b.n) + a.variance * ub**2 / (ua**4 * a.n)
    va, vb = a.variance / a.n, b.variance / b.n
    dof = (va + vb) ** 2 / (vb**2 / (b.n - 1) + va**2 / (a.n - 1))
    return Lift(estimate=estimate, variance=variance, dof=dof)


def t_test(lift: Lift, alpha: float, two_sided: bool) -> TestResult:
    se = lift.stddev
    z = lift.estimate / se
    if two_sided:
        p = 2 * special.stdtr(lift.dof, -np.abs(z))
        width = special.stdtrit(lift.dof, 1 - alpha / 2) * se
        return TestResult(p, lift.estimate - width, lift.estimate + width)
    p = special.stdtr(lift.dof, -z)
    low = lift.estimate - special.stdtrit(lift.dof, 1 - alpha) * se
    return TestResult(p, low, np.full(low.shape, np.inf))
