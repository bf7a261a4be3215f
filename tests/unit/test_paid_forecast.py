"""A campaign flight's forecast on the one engine: totals so far, the rest of the flight with
its interval, an ended flight, too little data, and days without a figure read as zeros."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.forecasting.flight import flight_series, forecast_flight

START = date(2026, 11, 1)
END = date(2026, 11, 30)


def days(values: Sequence[float | None], first: date = START) -> dict[date, float | None]:
    return {first + timedelta(days=i): v for i, v in enumerate(values)}


def test_a_steady_flight_lands_on_its_rate() -> None:
    result = flight_series(days([10.0] * 12), start=START, end=END, today=START + timedelta(12))
    assert result.status == "ok"
    assert (result.days_observed, result.remaining_days) == (12, 18)
    assert result.to_date == 120.0
    assert result.remaining == pytest.approx(180.0)
    assert result.end_of_flight == pytest.approx(300.0)
    assert result.end_low == result.end_high == pytest.approx(300.0)


def test_days_without_a_figure_are_zeros() -> None:
    values: list[float | None] = [10.0, None, 10.0, 10.0, 10.0, 10.0, 10.0, 10.0]
    series = days(values)
    series[START + timedelta(days=40)] = 1e9  # after the flight: ignored
    result = flight_series(series, start=START, end=END, today=START + timedelta(9))
    assert result.days_observed == 9
    assert result.to_date == 70.0
    assert result.status == "ok"
    assert result.method is not None


def test_too_little_data_gives_the_reason_and_no_numbers() -> None:
    result = flight_series(days([10.0, 12.0]), start=START, end=END, today=START + timedelta(2))
    assert result.status == "insufficient_data"
    assert result.reason == "2 days of history, need at least 7"
    assert (result.remaining, result.end_of_flight, result.remaining_low) == (None, None, None)
    not_started = flight_series({}, start=START, end=END, today=START - timedelta(days=4))
    assert not_started.status == "insufficient_data"
    assert (not_started.days_observed, not_started.remaining_days) == (0, 30)


def test_more_days_left_than_the_engine_reaches_is_reported() -> None:
    long_end = START + timedelta(days=200)
    result = flight_series(days([1.0] * 10), start=START, end=long_end, today=START + timedelta(10))
    assert result.status == "insufficient_data"
    assert result.reason == "191 days remain; forecasts reach 90 days ahead"


def test_an_ended_flight_returns_its_total() -> None:
    result = flight_series(days([5.0] * 30), start=START, end=END, today=date(2027, 1, 1))
    assert result.status == "ended"
    assert result.end_of_flight == result.end_low == result.end_high == 150.0


def test_reversed_dates_are_reported() -> None:
    assert flight_series({}, start=END, end=START, today=START).status == "invalid_flight"


def test_flight_forecast_covers_spend_and_goal() -> None:
    spend = {START + timedelta(days=i): 1_000_000 for i in range(8)}
    goal = days([2.0, 3.0] * 4)
    result = forecast_flight(spend, goal, start=START, end=END, today=START + timedelta(8))
    assert result.spend_micros.end_of_flight == pytest.approx(30_000_000)
    assert result.goal.status == "ok"
    assert result.goal.level == 0.8


@settings(max_examples=12, deadline=None)
@given(values=st.lists(st.floats(0, 1e9, allow_nan=False), min_size=7, max_size=29))
def test_intervals_hold_the_forecast_and_never_go_negative(values: list[float]) -> None:
    today = START + timedelta(days=len(values))
    result = flight_series(days(values), start=START, end=END, today=today)
    assert result.status == "ok"
    low, mid, high = result.remaining_low, result.remaining, result.remaining_high
    assert low is not None
    assert mid is not None
    assert high is not None
    assert low >= 0
    assert mid >= 0
    assert low <= high
    assert result.end_of_flight == pytest.approx(result.to_date + mid)
    assert result.remaining_days == 30 - len(values)
