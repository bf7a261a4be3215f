"""The lifetime-value engine on the CDNOW sample reproduces the published fits: BG/NBD of Fader,
Hardie and Lee (2005) and Gamma-Gamma of Fader and Hardie (2013); the calibration/holdout split
of the raw transaction log reproduces the published per-customer summary."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from shared.insights import clv

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "cdnow"
THREE_DECIMALS = 5e-4


@pytest.fixture(scope="module")
def summary() -> pd.DataFrame:
    return pd.read_csv(FIXTURES / "cdnow_customers_summary_with_transactions.csv")


@pytest.fixture(scope="module")
def split() -> pd.DataFrame:
    log = pd.read_csv(
        FIXTURES / "CDNOW_sample.txt",
        sep=r"\s+",
        header=None,
        names=["master_id", "customer", "date", "cds", "value"],
        dtype={"date": str},
    )
    log["date"] = pd.to_datetime(log["date"], format="%Y%m%d")
    return clv.calibration_holdout(
        log,
        customer="customer",
        when="date",
        calibration_end="1997-09-30",
        observation_end="1998-06-30",
        value="value",
    )


def test_bgnbd_reproduces_fader_hardie_lee_2005(summary: pd.DataFrame) -> None:
    fit = clv.fit_bgnbd(summary["x"], summary["t_x"], summary["T"])
    assert fit.converged
    assert fit.reason is None
    assert fit.n_customers == 2357
    assert fit.r == pytest.approx(0.243, abs=THREE_DECIMALS)
    assert fit.alpha == pytest.approx(4.414, abs=THREE_DECIMALS)
    assert fit.a == pytest.approx(0.793, abs=THREE_DECIMALS)
    assert fit.b == pytest.approx(2.426, abs=THREE_DECIMALS)
    assert fit.log_likelihood == pytest.approx(-9582.4, abs=0.05)


def test_published_parameters_give_the_published_log_likelihood(summary: pd.DataFrame) -> None:
    ll = clv.bgnbd_log_likelihood(
        (0.243, 4.414, 0.793, 2.426), summary["x"], summary["t_x"], summary["T"]
    )
    assert ll == pytest.approx(-9582.4, abs=0.05)


def test_gamma_gamma_reproduces_fader_hardie_2013(summary: pd.DataFrame) -> None:
    fit = clv.fit_gamma_gamma(summary["x"], summary["zbar"])
    assert fit.converged
    assert fit.reason is None
    assert fit.n_customers == 946
    assert fit.p == pytest.approx(6.25, abs=0.01)
    assert fit.q == pytest.approx(3.74, abs=0.01)
    assert fit.v == pytest.approx(15.44, abs=0.01)
    assert fit.log_likelihood is not None
    assert fit.log_likelihood < 0


def test_split_of_the_transaction_log_reproduces_the_summary(
    split: pd.DataFrame, summary: pd.DataFrame
) -> None:
    expected = summary.set_index("ID")
    assert list(split.index) == list(expected.index)
    assert np.array_equal(split["frequency_cal"].to_numpy(), expected["x"].to_numpy())
    assert np.allclose(split["recency_cal"], expected["t_x"], atol=0.005)
    assert np.allclose(split["T_cal"], expected["T"], atol=0.005)
    assert np.allclose(split["monetary_value_cal"], expected["zbar"], atol=0.0051)
    assert set(split["duration_holdout"]) == {39.0}


def test_holdout_predictions_track_what_customers_bought(split: pd.DataFrame) -> None:
    fit = clv.fit_bgnbd(split["frequency_cal"], split["recency_cal"], split["T_cal"])
    check = clv.holdout_check(
        fit,
        frequency_cal=split["frequency_cal"],
        recency_cal=split["recency_cal"],
        T_cal=split["T_cal"],
        frequency_holdout=split["frequency_holdout"],
        duration_holdout=39.0,
    )
    assert check.customers == 2357
    assert check.actual_total == 1882
    assert check.predicted_total == pytest.approx(1653.4, abs=0.5)
    groups = {g.frequency: g for g in check.groups}
    assert list(groups) == ["0", "1", "2", "3", "4", "5", "6", "7+"]
    assert sum(g.customers for g in check.groups) == 2357
    assert groups["0"].customers == 1411
    assert groups["0"].predicted_mean == pytest.approx(groups["0"].actual_mean, abs=0.02)
    assert groups["7+"].predicted_mean == pytest.approx(groups["7+"].actual_mean, rel=0.05)


def test_lifetime_value_of_the_sample_customers(summary: pd.DataFrame) -> None:
    x, t_x, t, z = summary["x"], summary["t_x"], summary["T"], summary["zbar"]
    bg = clv.fit_bgnbd(x, t_x, t)
    gg = clv.fit_gamma_gamma(x, z)
    value, undiscounted = (
        clv.customer_lifetime_value(
            bg,
            gg,
            frequency=x,
            recency=t_x,
            T=t,
            monetary_value=z,
            months=12,
            monthly_discount_rate=rate,
            units_per_month=clv.WEEKS_PER_MONTH,
        )
        for rate in (0.01, 0.0)
    )
    year_purchases = clv.expected_purchases(bg, 12 * clv.WEEKS_PER_MONTH, x, t_x, t)
    spend = clv.expected_spend(gg, x, z)
    assert np.allclose(undiscounted, year_purchases * spend)
    assert np.all(value > 0)
    assert np.all(value < undiscounted)
    assert int(np.argmax(value)) == int(np.argmax(year_purchases * spend))
