"""Forecast accuracy on hand-worked days: MAPE (null with the reason when an actual is 0),
sMAPE (both zero scores 0) and interval coverage."""

from __future__ import annotations

import pytest

from shared.forecasting.accuracy import ScoredDay, score


def test_hand_worked_mape_smape_and_coverage() -> None:
    days = [ScoredDay(110, 90, 130, 100), ScoredDay(90, 80, 95, 100), ScoredDay(50, 40, 70, 40)]
    result = score(days, 0.8)
    assert result.n_days == 3
    assert result.mape == pytest.approx((10 / 100 + 10 / 100 + 10 / 40) / 3 * 100)
    assert result.mape_reason is None
    assert result.smape == pytest.approx((20 / 210 + 20 / 190 + 20 / 90) / 3 * 100)
    assert result.coverage == pytest.approx(2 / 3)
    assert result.nominal_level == 0.8


def test_zero_actuals_make_mape_null_with_a_reason() -> None:
    result = score([ScoredDay(0, 0, 1, 0), ScoredDay(5, 2, 8, 0), ScoredDay(4, 3, 5, 4)], 0.9)
    assert result.mape is None
    assert result.mape_reason == "2 of 3 days had an actual of 0, which MAPE divides by"
    assert result.smape == pytest.approx((0 + 200 + 0) / 3)
    assert result.coverage == pytest.approx(2 / 3)


def test_no_complete_day_scores_nothing() -> None:
    result = score([], 0.8)
    assert (result.n_days, result.mape, result.smape, result.coverage) == (0, None, None, None)
    assert result.reason == "no forecast day is complete yet"
