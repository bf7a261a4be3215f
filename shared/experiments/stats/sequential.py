"""Always-valid confidence sequences for the relative lift, as gbstats 0.8.0's
SequentialTwoSidedTTest (asymptotic confidence sequences of Waudby-Smith et al., 2023).

With N = n_A + n_B users, tuning parameter T (the sample size the sequence is tightest at) and
rho = sqrt((-2 ln alpha + ln(-2 ln alpha + 1)) / T):
  half-width = sqrt(var N) sqrt(2 (N rho^2 + 1) ln(sqrt(N rho^2 + 1) / alpha) / (N rho)^2)
  p = min(1, 1 / e), e = exp(rho^2 lift^2 N / (2 var (N rho^2 + 1))) / sqrt(N rho^2 + 1)
var being the delta-method variance of the lift (frequentist.Lift). The interval holds at every
look at once, so checking it every hour does not inflate false positives.
"""

from __future__ import annotations

import math

import numpy as np

from shared.experiments.stats.frequentist import Lift, TestResult
from shared.experiments.stats.settings import FloatArray


def rho(alpha: float, tuning: float) -> float:
    return math.sqrt((-2 * math.log(alpha) + math.log(-2 * math.log(alpha) + 1)) / tuning)


def confidence_sequence(lift: Lift, n_total: FloatArray, alpha: float, tuning: float) -> TestResult:
    r = rho(alpha, tuning)
    spread = n_total * r**2 + 1
    s2 = lift.variance * n_total
    half = np.sqrt(s2) * np.sqrt(2 * spread * np.log(np.sqrt(spread) / alpha) / (n_total * r) ** 2)
    st2 = lift.estimate**2 * n_total / lift.variance
    evalue = np.exp(r**2 * st2 / (2 * spread)) / np.sqrt(spread)
    p = np.minimum(1 / evalue, 1.0)
    return TestResult(p, lift.estimate - half, lift.estimate + half)
