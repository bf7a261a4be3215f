"""Carry-over and weekday demand in the response curves: the adstock recursion, the decay and
weekday factors recovered from simulated channels, and weekday demand that moves spend and
results together not read as a return on spend."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.paid.budget import AllocatorSettings, CurveSettings, fit_response_curve
from shared.paid.budget.adstock import geometric_adstock, steady_state
from shared.paid.budget.allocate import recommend_allocation
from tests.unit.paid_channels import DEMAND, M, TrueChannel

spend_lists = st.lists(st.floats(0, 1e6), min_size=1, max_size=60)
thetas = st.floats(0, 0.9)


@settings(max_examples=50)
@given(spend=spend_lists, theta=thetas)
def test_adstock_is_todays_spend_plus_the_decayed_carry_over(
    spend: list[float], theta: float
) -> None:
    carried, expected = 0.0, []
    for value in spend:
        carried = value + theta * carried
        expected.append(carried)
    assert geometric_adstock(np.array(spend), theta) == pytest.approx(expected, rel=1e-9, abs=1e-6)


@settings(max_examples=30)
@given(daily=st.floats(1, 1e6), theta=thetas)
def test_a_steady_spend_settles_at_its_steady_state(daily: float, theta: float) -> None:
    settled = geometric_adstock(np.full(400, daily), theta)[-1]
    assert settled == pytest.approx(steady_state(daily, theta), rel=1e-9)


def test_without_decay_adstock_is_the_spend_itself() -> None:
    spend = np.array([3.0, 0.0, 5.0, 1.0])
    assert list(geometric_adstock(spend, 0.0)) == list(spend)


CARRY_OVER = TrueChannel("meta", top=100, k=250, s=1.0, theta=0.5, average=150)


def test_the_decay_and_the_weekday_demand_are_recovered() -> None:
    fit = fit_response_curve(CARRY_OVER.history(days=91, seed=1))
    assert fit.curve is not None
    assert fit.curve.theta == pytest.approx(0.5, abs=0.08)
    assert fit.curve.weekday_factors is not None
    assert fit.curve.weekday_factors == pytest.approx(list(DEMAND), abs=0.04)
    assert fit.curve.r2 > 0.85
    # The steady-state goal at the typical spend, against the truth: within 5 %.
    assert fit.curve.predict(150 * M) == pytest.approx(CARRY_OVER.goal(150), rel=0.05)


def test_the_decay_interval_covers_the_true_decay() -> None:
    history = CARRY_OVER.history(days=91, seed=1)
    chosen = AllocatorSettings(bootstrap_samples=40, seed=3)
    advice = recommend_allocation([history], 150 * M, chosen)
    (channel,) = advice.channels
    low, high = channel.parameter_intervals["theta"]
    assert low <= 0.5 <= high
    assert high - low < 0.3
    assert channel.weekday_factors is not None
    assert max(channel.weekday_factors, key=channel.weekday_factors.__getitem__) == "saturday"


def test_too_few_of_each_weekday_fits_no_weekday_factors() -> None:
    fit = fit_response_curve(CARRY_OVER.history(days=20, seed=1))
    assert fit.status == "ok"
    assert fit.curve is not None
    assert fit.curve.weekday_factors is None


# Nearly saturated (the true return on more spend is small), but budgets are paced to busy
# days, so spend and results rise together on the same weekdays.
PACED = TrueChannel(
    "tiktok", top=50, k=30, s=1.0, theta=0.3, average=100, follows_demand=3.0, spread=(0.8, 1.25)
)


def test_weekday_demand_that_moves_spend_and_results_is_not_credited_to_spend() -> None:
    truth = PACED.marginal(100)
    adjusted, ignored = [], []
    for seed in range(8):
        history = PACED.history(days=91, seed=seed)
        fit = fit_response_curve(history)
        no_weekdays = fit_response_curve(history, CurveSettings(min_days_per_weekday=10**6))
        assert fit.curve is not None
        assert no_weekdays.curve is not None
        assert no_weekdays.curve.weekday_factors is None
        adjusted.append(fit.curve.marginal_return(100 * M) / truth)
        ignored.append(no_weekdays.curve.marginal_return(100 * M) / truth)
    # Ignoring the weekday, a curve reads the busy days' results as the return on their spend:
    # more than twice the true marginal return on every simulated history. With the weekday
    # factors, never more than 1.3 times, and about right in the middle of them.
    assert min(ignored) > 2
    assert max(adjusted) < 1.3
    assert float(np.median(adjusted)) == pytest.approx(1, abs=0.15)
