"""Geometric adstock: the carry-over of spend from one day into the next.

adstocked_t = spend_t + theta * adstocked_{t-1} (adstocked before the first day is 0), as
Robyn's `adstock_geometric` defines it: theta is a fixed decay rate, so with theta 0.7 the
effect of 100 spent on day 1 counts 70 on day 2 and 49 on day 3. Without it, results that
follow yesterday's spend are read as the return on today's.

A steady spend of x a day settles at x / (1 - theta): that is the level a curve fitted on
adstocked spend is read at when the advice asks what a daily budget returns.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from scipy import signal

Array = NDArray[np.float64]

THETA_MAX = 0.9
"""Upper bound of the decay rate fitted per channel; the lower bound is 0 (no carry-over)."""


def geometric_adstock(spend: Array, theta: float) -> Array:
    """The adstocked series, one value per day, by the recursion above (a first-order filter)."""
    adstocked: Array = np.asarray(signal.lfilter([1.0], [1.0, -theta], spend), dtype=float)
    return adstocked


def steady_state(daily_spend: float, theta: float) -> float:
    """The adstocked level that a constant daily spend converges to."""
    return daily_spend / (1.0 - theta)
