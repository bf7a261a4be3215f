"""The one forecasting engine: intervals that hold on autocorrelated weekly data, zeros for
missing days, a reason instead of numbers when history is short, the same figures every run,
and clipping at zero."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest

from shared.forecasting import forecast_series
from shared.forecasting.engine import MIN_HISTORY_DAYS, daily_history

WEEK = np.array([1.0, 1.2, 1.1, 0.9, 0.8, 1.4, 1.6]) * 100
START = date(2026, 1, 5)


def weekly_ar1(seed: int, days: int, phi: float = 0.6, noise: float = 10.0) -> np.ndarray:
    """A weekly pattern plus AR(1) noise: tomorrow's error remembers `phi` of today's."""
    rng = np.random.default_rng(seed)
    errors = np.zeros(days)
    for t in range(1, days):
        errors[t] = phi * errors[t - 1] + rng.normal(0, noise)
    return np.asarray(WEEK[np.arange(days) % 7] + errors)


def series(values: np.ndarray | list[float], first: date = START) -> pd.Series:
    return pd.Series(values, index=pd.date_range(first, periods=len(values), freq="D"))


def test_intervals_cover_about_their_nominal_level_on_autocorrelated_weekly_data() -> None:
    history_days, horizon, level = 56, 14, 0.8
    daily_hits, total_hits = [], []
    for seed in range(25):
        values = weekly_ar1(seed, history_days + horizon)
        result = forecast_series(series(values[:history_days]), horizon, level)
        future = values[history_days:]
        lower = np.array([d.lower for d in result.days])
        upper = np.array([d.upper for d in result.days])
        daily_hits.append(np.mean((future >= lower) & (future <= upper)))
        assert result.total_lower is not None
        assert result.total_upper is not None
        total_hits.append(result.total_lower <= future.sum() <= result.total_upper)
        assert str(result.method).endswith(",A)+block_bootstrap")
    assert 0.72 <= np.mean(daily_hits) <= 0.88
    assert 0.6 <= np.mean(total_hits) <= 0.95


def test_the_level_sets_the_width() -> None:
    history = series(weekly_ar1(1, 42))
    narrow = forecast_series(history, 7, 0.5)
    wide = forecast_series(history, 7, 0.95)
    for a, b in zip(narrow.days, wide.days, strict=True):
        assert b.lower <= a.lower <= a.predicted <= a.upper <= b.upper


def test_missing_days_are_zeros_not_gaps() -> None:
    sparse = pd.Series(
        [5.0, 7.0, 6.0],
        index=pd.DatetimeIndex([pd.Timestamp(START + timedelta(days=d)) for d in (0, 3, 9)]),
    )
    filled = daily_history(sparse, last_day=START + timedelta(days=19))
    assert len(filled) == 20
    assert filled.sum() == 18.0
    assert (filled == 0).sum() == 17
    result = forecast_series(sparse, 7, last_day=START + timedelta(days=19))
    assert result.history_days == 20
    assert result.days[0].day == START + timedelta(days=20)


def test_too_short_a_history_gives_a_reason_and_no_numbers() -> None:
    result = forecast_series(series([3.0, 4.0, 5.0]), 7)
    assert result.days == ()
    assert result.total is None
    assert result.method is None
    assert result.reason == f"3 days of history, need at least {MIN_HISTORY_DAYS}"
    empty = forecast_series(pd.Series(dtype=float), 7)
    assert empty.reason == f"0 days of history, need at least {MIN_HISTORY_DAYS}"


def test_the_same_input_gives_the_same_figures() -> None:
    history = series(weekly_ar1(7, 35))
    assert forecast_series(history, 10) == forecast_series(history, 10)


def test_short_history_uses_a_non_seasonal_model() -> None:
    result = forecast_series(series(weekly_ar1(3, 10)), 5)
    assert result.method is not None
    assert result.method.endswith(",N)+block_bootstrap")
    assert len(result.days) == 5


def test_non_negative_metrics_are_clipped_at_zero_with_their_bounds() -> None:
    falling = series(
        [
            90.0,
            80.0,
            72.0,
            60.0,
            50.0,
            40.0,
            31.0,
            20.0,
            12.0,
            5.0,
            2.0,
            1.0,
            0.0,
            0.0,
            3.0,
            0.0,
            0.0,
            1.0,
        ]
    )
    result = forecast_series(falling, 30)
    assert all(d.lower >= 0 and d.predicted >= 0 and d.upper >= 0 for d in result.days)
    assert result.total_lower is not None
    assert result.total_lower >= 0


def test_a_flat_history_forecasts_its_value_with_no_spread() -> None:
    result = forecast_series(series([4.0] * 10), 3)
    assert result.method == "constant"
    assert [(d.predicted, d.lower, d.upper) for d in result.days] == [(4.0, 4.0, 4.0)] * 3
    assert result.total == 12.0


@pytest.mark.parametrize(("horizon", "level"), [(0, 0.8), (91, 0.8), (7, 1.0), (7, 0.0)])
def test_out_of_range_arguments_are_refused(horizon: int, level: float) -> None:
    with pytest.raises(ValueError, match=r"horizon_days|level"):
        forecast_series(series(weekly_ar1(0, 20)), horizon, level)
