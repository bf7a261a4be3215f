"""Flight pacing: the identities between its figures, the flags, and the flights it cannot pace."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.paid.pacing import Flight, PacingSettings, pace

START = date(2026, 11, 1)
THIRTY_DAYS = Flight(budget_micros=30_000_000_000, start=START, end=date(2026, 11, 30))


def test_spend_in_step_with_time_is_on_pace() -> None:
    result = pace(THIRTY_DAYS, START + timedelta(days=10), 10_000_000_000)
    assert result.status == "ok"
    assert (result.elapsed_days, result.remaining_days) == (10, 20)
    assert result.pacing_pct == pytest.approx(1.0)
    assert (result.over_pacing, result.under_pacing) == (False, False)
    assert result.run_rate_basis == "flight average"
    assert result.projected_end_spend_micros == 30_000_000_000
    assert result.daily_needed_micros == 1_000_000_000


def test_run_rate_comes_from_the_last_days_of_the_series() -> None:
    today = START + timedelta(days=10)
    daily = {START + timedelta(days=d): 500_000_000 for d in range(3)}
    daily |= {START + timedelta(days=d): 2_000_000_000 for d in range(3, 10)}
    daily[today] = 9_999_999_999  # today is not complete: never in the run-rate
    spent = sum(v for d, v in daily.items() if d < today)
    result = pace(THIRTY_DAYS, today, spent, daily)
    assert result.run_rate_basis == "last 7 days"
    assert result.run_rate_micros == 2_000_000_000
    assert result.projected_end_spend_micros == spent + 20 * 2_000_000_000
    assert result.over_pacing is True  # 15.5 of 30 spent after a third of the flight


def test_thresholds_are_strict_and_can_be_changed() -> None:
    today = START + timedelta(days=10)
    assert PacingSettings() == PacingSettings(1.1, 0.9, 7)
    over = pace(THIRTY_DAYS, today, 12_000_000_000)
    assert over.pacing_pct == pytest.approx(1.2)
    assert over.over_pacing is True
    assert pace(THIRTY_DAYS, today, 8_000_000_000).under_pacing is True
    exact = over.pacing_pct
    assert exact is not None
    at_bound = PacingSettings(over_pacing_above=exact, under_pacing_below=exact)
    on_the_line = pace(THIRTY_DAYS, today, 12_000_000_000, settings=at_bound)
    assert (on_the_line.over_pacing, on_the_line.under_pacing) == (False, False)
    relaxed = pace(THIRTY_DAYS, today, 8_000_000_000, settings=PacingSettings(0.5, 0.7))
    assert (relaxed.under_pacing, relaxed.over_pacing) == (False, True)


@pytest.mark.parametrize("today", [START - timedelta(days=3), START])
def test_a_flight_without_a_complete_day_is_not_started(today: date) -> None:
    result = pace(THIRTY_DAYS, today, 0)
    assert result.status == "not_started"
    assert result.reason is not None
    assert "no complete day" in result.reason
    assert result.pacing_pct is None
    assert result.projected_end_spend_micros is None
    assert result.remaining_days == 30


@pytest.mark.parametrize("budget", [None, 0])
def test_a_flight_without_budget_is_not_paced(budget: int | None) -> None:
    result = pace(Flight(budget, START, THIRTY_DAYS.end), START + timedelta(days=5), 1000)
    assert result.status == "no_budget"
    assert result.spend_share is None
    assert result.pacing_pct is None
    assert not result.over_pacing


def test_an_ended_flight_has_final_figures() -> None:
    result = pace(THIRTY_DAYS, date(2026, 12, 15), 29_000_000_000)
    assert result.status == "ended"
    assert (result.elapsed_days, result.remaining_days) == (30, 0)
    assert result.projected_end_spend_micros == 29_000_000_000
    assert result.daily_needed_micros is None
    assert result.pacing_pct == pytest.approx(29 / 30)


def test_reversed_dates_are_reported() -> None:
    result = pace(Flight(100, START, START - timedelta(days=1)), START, 0)
    assert result.status == "invalid_flight"
    assert result.pacing_pct is None


@given(
    budget=st.integers(1, 10**13),
    days=st.integers(1, 120),
    day=st.integers(1, 130),
    spent=st.integers(0, 2 * 10**13),
)
def test_pacing_identities(budget: int, days: int, day: int, spent: int) -> None:
    flight = Flight(budget, START, START + timedelta(days=days - 1))
    result = pace(flight, START + timedelta(days=day), spent)
    assert result.elapsed_days + result.remaining_days == result.flight_days == days
    assert result.spend_share is not None
    assert result.elapsed_share is not None
    assert result.pacing_pct is not None
    assert result.pacing_pct * result.elapsed_share == pytest.approx(result.spend_share)
    assert result.spend_share == pytest.approx(spent / budget)
    assert result.over_pacing == (result.pacing_pct > 1.1)
    assert result.under_pacing == (result.pacing_pct < 0.9)
    assert result.projected_end_spend_micros is not None
    assert result.run_rate_micros is not None
    expected_projection = spent + spent / result.elapsed_days * result.remaining_days
    assert result.projected_end_spend_micros == pytest.approx(expected_projection, abs=1)
    if result.remaining_days == 0:
        assert result.daily_needed_micros is None
        return
    needed = result.daily_needed_micros
    assert needed is not None
    if spent >= budget:
        assert needed == 0
    else:  # the least whole-micro daily spend that lands on the budget
        assert spent + needed * result.remaining_days >= budget
        assert spent + (needed - 1) * result.remaining_days < budget
