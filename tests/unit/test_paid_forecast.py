"""Forecasts to the end of a flight: worked examples, intervals, and too little data."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

from shared.paid.forecast import ForecastSettings, forecast_flight, forecast_series

START = date(2026, 11, 1)
END = date(2026, 11, 30)


def days(values: Sequence[float | None], first: date = START) -> dict[date, float | None]:
    return {first + timedelta(days=i): v for i, v in enumerate(values)}


def test_mean_rate_with_a_prediction_interval_for_the_remaining_sum() -> None:
    values = [10.0, 12.0, 8.0, 11.0, 9.0]
    result = forecast_series(days(values), start=START, end=END, today=START + timedelta(5))
    assert result.status == "ok"
    assert (result.days_observed, result.days_used, result.remaining_days) == (5, 5, 25)
    assert result.to_date == 50.0
    assert result.daily_rate == pytest.approx(10.0)
    assert result.remaining == pytest.approx(250.0)
    s = stats.tstd(values)
    margin = stats.t.ppf(0.975, 4) * s * math.sqrt(25 + 25**2 / 5)
    assert result.remaining_low == pytest.approx(250.0 - margin)
    assert result.remaining_high == pytest.approx(250.0 + margin)
    assert result.end_of_flight == pytest.approx(300.0)
    assert result.end_high == pytest.approx(300.0 + margin)


def test_only_the_recent_window_sets_the_rate() -> None:
    values = [100.0] * 10 + [5.0] * 14
    result = forecast_series(days(values), start=START, end=END, today=START + timedelta(24))
    assert result.days_used == 14
    assert result.daily_rate == pytest.approx(5.0)
    assert result.to_date == pytest.approx(1070.0)
    whole = ForecastSettings(window_days=None)
    assert (
        forecast_series(
            days(values), start=START, end=END, today=START + timedelta(24), settings=whole
        ).days_used
        == 24
    )


def test_linear_trend_extends_a_straight_line() -> None:
    values = [10.0 + 2 * i for i in range(10)]
    settings = ForecastSettings(method="linear")
    result = forecast_series(
        days(values), start=START, end=END, today=START + timedelta(10), settings=settings
    )
    expected = sum(10.0 + 2 * i for i in range(10, 30))
    assert result.remaining == pytest.approx(expected)
    assert result.remaining_low == pytest.approx(expected)  # a perfect line: no spread
    assert result.remaining_high == pytest.approx(expected)


def test_unknown_days_add_nothing_and_are_counted() -> None:
    values: list[float | None] = [10.0, None, 10.0, 10.0]
    series = days(values)
    series[START + timedelta(days=30)] = 1e9  # after the flight: ignored
    result = forecast_series(series, start=START, end=END, today=START + timedelta(5))
    assert (result.days_observed, result.days_known) == (5, 3)
    assert result.to_date == 30.0


def test_too_little_data_gives_counts_and_no_numbers() -> None:
    result = forecast_series(days([10.0, 12.0]), start=START, end=END, today=START + timedelta(2))
    assert result.status == "insufficient_data"
    assert (
        result.reason
        == "2 complete days with a figure in the window, need 3 (2 complete flight days so far)"
    )
    assert (result.remaining, result.end_of_flight, result.remaining_low) == (None, None, None)
    not_started = forecast_series({}, start=START, end=END, today=START - timedelta(days=4))
    assert not_started.status == "insufficient_data"
    assert (not_started.days_observed, not_started.remaining_days) == (0, 30)


def test_an_ended_flight_returns_its_total() -> None:
    result = forecast_series(days([5.0] * 30), start=START, end=END, today=date(2027, 1, 1))
    assert result.status == "ended"
    assert result.end_of_flight == result.end_low == result.end_high == 150.0


def test_reversed_dates_are_reported() -> None:
    result = forecast_series({}, start=END, end=START, today=START)
    assert result.status == "invalid_flight"


def test_flight_forecast_covers_spend_and_goal() -> None:
    spend = {START + timedelta(days=i): 1_000_000 for i in range(6)}
    goal = days([2.0, 3.0, 2.0, 3.0, 2.0, 3.0])
    result = forecast_flight(spend, goal, start=START, end=END, today=START + timedelta(6))
    assert result.spend_micros.end_of_flight == pytest.approx(30_000_000)
    assert result.goal.end_of_flight == pytest.approx(15.0 + 24 * 2.5)


@given(
    values=st.lists(st.floats(0, 1e9, allow_nan=False), min_size=3, max_size=29),
    method=st.sampled_from(["mean", "linear"]),
)
def test_intervals_hold_the_forecast_and_never_go_negative(
    values: list[float], method: str
) -> None:
    settings = ForecastSettings(method="linear" if method == "linear" else "mean")
    today = START + timedelta(days=len(values))
    result = forecast_series(days(values), start=START, end=END, today=today, settings=settings)
    assert result.status == "ok"
    low, mid, high = result.remaining_low, result.remaining, result.remaining_high
    assert low is not None
    assert mid is not None
    assert high is not None
    assert 0 <= low <= mid * (1 + 1e-9) + 1e-6
    assert mid <= high * (1 + 1e-9) + 1e-6
    assert result.end_of_flight == pytest.approx(result.to_date + mid)
    assert result.remaining_days == 30 - len(values)
