"""The stable lifetime-value API: BG/NBD for how many purchases a customer will make and
whether they are still a customer, Gamma-Gamma for what each purchase is worth, and their
discounted product, the customer's lifetime value over a horizon.

    fit = fit_bgnbd(frequency, recency, T)           # r, alpha, a, b, log_likelihood
    spend = fit_gamma_gamma(frequency, monetary_value)  # p, q, v, log_likelihood
    value = customer_lifetime_value(fit, spend, frequency=..., recency=..., T=...,
                                    monetary_value=..., months=12, monthly_discount_rate=0.01,
                                    units_per_month=WEEKS_PER_MONTH)

A fit that cannot be made (too few customers, no repeat buyer, no convergence) has None for
every parameter and a `reason`; predicting from it raises ValueError naming the fit."""

from __future__ import annotations

import numpy as np

from shared.insights.bgnbd import (
    BgNbdFit,
    bgnbd_log_likelihood,
    expected_purchases,
    fit_bgnbd,
    probability_alive,
)
from shared.insights.gamma_gamma import (
    GammaGammaFit,
    expected_spend,
    fit_gamma_gamma,
    gamma_gamma_log_likelihood,
)
from shared.insights.holdout import (
    FrequencyGroup,
    HoldoutCheck,
    calibration_holdout,
    holdout_check,
)
from shared.insights.inputs import ArrayLike, FloatArray, customer_arrays

DAYS_PER_MONTH = 365.25 / 12
WEEKS_PER_MONTH = DAYS_PER_MONTH / 7
"""Time units per month for a fit in days or in weeks (the unit of recency and T)."""


def monthly_rate(annual_rate: float) -> float:
    """The monthly discount rate compounding to `annual_rate` over twelve months."""
    if not np.isfinite(annual_rate) or annual_rate <= -1:
        raise ValueError("annual_rate: must be a finite rate > -1")
    return float((1 + annual_rate) ** (1 / 12) - 1)


def customer_lifetime_value(
    bgnbd_fit: BgNbdFit,
    gamma_gamma_fit: GammaGammaFit,
    *,
    frequency: ArrayLike,
    recency: ArrayLike,
    T: ArrayLike,  # noqa: N803 - the paper's name
    monetary_value: ArrayLike,
    months: int,
    monthly_discount_rate: float,
    units_per_month: float,
) -> FloatArray:
    """Each customer's discounted expected spend over the next `months` months: the purchases
    BG/NBD expects in month m, times the Gamma-Gamma expected spend per purchase, divided by
    (1 + monthly_discount_rate) ** m (a month's purchases are discounted at its end). The rate
    is monthly; convert an annual one with `monthly_rate`. `units_per_month` converts months
    into the fit's time unit (WEEKS_PER_MONTH for a fit in weeks)."""
    if months < 1:
        raise ValueError("months: must be >= 1")
    if not np.isfinite(monthly_discount_rate) or monthly_discount_rate <= -1:
        raise ValueError("monthly_discount_rate: must be a finite rate > -1")
    if not np.isfinite(units_per_month) or units_per_month <= 0:
        raise ValueError("units_per_month: must be a finite number > 0")
    x, t_x, t = customer_arrays(frequency, recency, T)
    spend = expected_spend(gamma_gamma_fit, x, monetary_value)
    value = np.zeros(len(x))
    previous = np.zeros(len(x))
    for month in range(1, months + 1):
        cumulative = expected_purchases(bgnbd_fit, month * units_per_month, x, t_x, t)
        value += (cumulative - previous) * spend / (1 + monthly_discount_rate) ** month
        previous = cumulative
    return value


__all__ = [
    "DAYS_PER_MONTH",
    "WEEKS_PER_MONTH",
    "BgNbdFit",
    "FrequencyGroup",
    "GammaGammaFit",
    "HoldoutCheck",
    "bgnbd_log_likelihood",
    "calibration_holdout",
    "customer_lifetime_value",
    "expected_purchases",
    "expected_spend",
    "fit_bgnbd",
    "fit_gamma_gamma",
    "gamma_gamma_log_likelihood",
    "holdout_check",
    "monthly_rate",
    "probability_alive",
]
