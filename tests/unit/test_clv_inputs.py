"""Bad inputs to the lifetime-value engine raise ValueError naming the argument; data that
cannot support a fit gives a result with None parameters and the reason, never an estimate."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from shared.insights import clv

GOOD: tuple[list[float], list[float], list[float]] = ([1, 0, 2], [3.0, 0.0, 5.0], [10.0, 8.0, 6.0])


@pytest.mark.parametrize(
    ("frequency", "recency", "T", "named"),
    [
        ([-1, 0, 2], GOOD[1], GOOD[2], "frequency"),
        ([1.5, 0, 2], GOOD[1], GOOD[2], "frequency"),
        (GOOD[0], [3.0, 0.0, 7.0], GOOD[2], "recency"),
        (GOOD[0], [3.0, 1.0, 5.0], GOOD[2], "recency"),
        (GOOD[0], [3.0, 0.0, -5.0], GOOD[2], "recency"),
        (GOOD[0], GOOD[1], [10.0, math.nan, 6.0], "T"),
        (GOOD[0], GOOD[1], [10.0, math.inf, 6.0], "T"),
        (GOOD[0], GOOD[1], [10.0, 8.0], "T"),
        ([[1, 0, 2]], GOOD[1], GOOD[2], "frequency"),
    ],
)
def test_bad_customer_arrays_name_the_argument(
    frequency: list[float],
    recency: list[float],
    T: list[float],  # noqa: N803 - the paper's name
    named: str,
) -> None:
    with pytest.raises(ValueError, match=rf"^{named}:"):
        clv.fit_bgnbd(frequency, recency, T)
    with pytest.raises(ValueError, match=rf"^{named}:"):
        clv.bgnbd_log_likelihood((1.0, 1.0, 1.0, 1.0), frequency, recency, T)


def test_too_few_customers_is_a_reason_not_an_estimate() -> None:
    fit = clv.fit_bgnbd(*GOOD)
    assert (fit.r, fit.alpha, fit.a, fit.b, fit.log_likelihood) == (None,) * 5
    assert not fit.converged
    assert fit.reason == "3 customers; the BG/NBD fit needs at least 20"
    with pytest.raises(ValueError, match=r"^fit: has no parameters"):
        clv.probability_alive(fit, *GOOD)
    with pytest.raises(ValueError, match=r"^fit: has no parameters"):
        clv.expected_purchases(fit, 10.0, *GOOD)


def test_nobody_repeating_is_a_reason_not_an_estimate() -> None:
    fit = clv.fit_bgnbd([0] * 50, [0.0] * 50, [20.0] * 50)
    assert fit.r is None
    assert fit.reason == "no customer made a repeat purchase, so no buying rate is estimable"


def test_gamma_gamma_inputs_and_refusals() -> None:
    with pytest.raises(ValueError, match=r"^monetary_value: must be > 0"):
        clv.fit_gamma_gamma([1, 2], [10.0, 0.0])
    with pytest.raises(ValueError, match=r"^monetary_value:"):
        clv.fit_gamma_gamma([1, 2], [10.0, -3.0])
    with pytest.raises(ValueError, match=r"^monetary_value: has 1 values"):
        clv.fit_gamma_gamma([1, 2], [10.0])
    fit = clv.fit_gamma_gamma([1, 0, 3], [10.0, 0.0, 12.0])
    assert (fit.p, fit.q, fit.v) == (None, None, None)
    assert fit.reason == "2 repeat customers; the Gamma-Gamma fit needs 20"
    with pytest.raises(ValueError, match=r"^gamma_gamma_fit: has no parameters"):
        clv.expected_spend(fit, [1], [10.0])
    infinite_mean = clv.GammaGammaFit(2.0, 0.9, 5.0, None, 0, True, 0, "given")
    with pytest.raises(ValueError, match=r"^gamma_gamma_fit: q = 0.9 <= 1"):
        clv.expected_spend(infinite_mean, [1], [10.0])


def test_prediction_arguments_are_checked() -> None:
    fit = clv.BgNbdFit(0.243, 4.414, 0.793, 2.426, None, 0, True, 0, "given")
    spend = clv.GammaGammaFit(6.25, 3.74, 15.44, None, 0, True, 0, "given")
    with pytest.raises(ValueError, match=r"^horizon_t:"):
        clv.expected_purchases(fit, -1.0, *GOOD)
    with pytest.raises(ValueError, match=r"^horizon_t:"):
        clv.expected_purchases(fit, math.nan, *GOOD)
    customers: dict[str, list[float]] = {
        "frequency": GOOD[0],
        "recency": GOOD[1],
        "T": GOOD[2],
        "monetary_value": [10.0, 0.0, 12.0],
    }
    with pytest.raises(ValueError, match=r"^months:"):
        clv.customer_lifetime_value(
            fit, spend, **customers, months=0, monthly_discount_rate=0.01, units_per_month=4.0
        )
    with pytest.raises(ValueError, match=r"^monthly_discount_rate:"):
        clv.customer_lifetime_value(
            fit, spend, **customers, months=1, monthly_discount_rate=-1.0, units_per_month=4.0
        )
    with pytest.raises(ValueError, match=r"^units_per_month:"):
        clv.customer_lifetime_value(
            fit, spend, **customers, months=1, monthly_discount_rate=0.01, units_per_month=0.0
        )
    with pytest.raises(ValueError, match=r"^annual_rate:"):
        clv.monthly_rate(-1.5)


CAL_END, OBS_END = "2026-01-31", "2026-02-28"


def test_split_names_a_missing_column_and_a_reversed_window() -> None:
    log = pd.DataFrame({"who": ["a", "a", "b"], "at": ["2026-01-01", "2026-01-09", "2026-01-03"]})
    with pytest.raises(ValueError, match=r"^when: column 'date'"):
        clv.calibration_holdout(
            log,
            customer="who",
            when="date",
            calibration_end="2026-01-31",
            observation_end="2026-02-28",
        )
    with pytest.raises(ValueError, match=r"^value: column 'amount'"):
        clv.calibration_holdout(
            log,
            customer="who",
            when="at",
            value="amount",
            calibration_end="2026-01-31",
            observation_end="2026-02-28",
        )
    with pytest.raises(ValueError, match=r"^observation_end:"):
        clv.calibration_holdout(
            log,
            customer="who",
            when="at",
            calibration_end="2026-02-01",
            observation_end="2026-01-01",
        )


def test_split_counts_same_day_purchases_once_and_drops_later_newcomers() -> None:
    log = pd.DataFrame(
        {
            "who": ["a", "a", "a", "a", "b", "c"],
            "at": pd.to_datetime(
                [
                    "2026-01-01 09:00",
                    "2026-01-01 18:00",
                    "2026-01-15 12:00",
                    "2026-02-05 12:00",
                    "2026-01-29 12:00",
                    "2026-02-02 12:00",
                ]
            ),
            "amount": [5.0, 5.0, 20.0, 7.0, 9.0, 3.0],
        }
    )
    split = clv.calibration_holdout(
        log,
        customer="who",
        when="at",
        value="amount",
        calibration_end="2026-01-29",
        observation_end="2026-02-26",
    )
    assert list(split.index) == ["a", "b"]
    a, b = split.loc["a"], split.loc["b"]
    assert (a["frequency_cal"], a["recency_cal"], a["T_cal"]) == (1.0, 2.0, 4.0)
    assert a["monetary_value_cal"] == 20.0
    assert a["frequency_holdout"] == 1.0
    assert (b["frequency_cal"], b["recency_cal"], b["T_cal"], b["monetary_value_cal"]) == (
        0.0,
        0.0,
        0.0,
        0.0,
    )
    assert np.all(split["duration_holdout"] == 4.0)


def test_split_cuts_days_in_the_zone_of_the_transactions() -> None:
    log = pd.DataFrame(
        {
            "who": ["a", "a", "a"],
            "at": pd.to_datetime(
                ["2026-01-01T23:30:00Z", "2026-01-08T12:00:00Z", "2026-02-01T01:00:00Z"]
            ).tz_convert("Europe/Berlin"),
        }
    )
    split = clv.calibration_holdout(
        log, customer="who", when="at", calibration_end="2026-01-29", observation_end=OBS_END
    )
    assert split.loc["a", "frequency_cal"] == 1.0
    assert split.loc["a", "T_cal"] == pytest.approx(27 / 7)
    assert split.loc["a", "frequency_holdout"] == 1.0
    naive = log.assign(at=log["at"].dt.tz_localize(None))
    with pytest.raises(ValueError, match=r"^calibration_end: has a time zone"):
        clv.calibration_holdout(
            naive,
            customer="who",
            when="at",
            calibration_end=pd.Timestamp("2026-01-29", tz="UTC"),
            observation_end=OBS_END,
        )
