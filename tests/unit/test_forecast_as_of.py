"""A backtest's first day (`as_of`): today by default, refused naming the field when it is in
the future or further back than accuracy scores by default."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from shared.errors import ValidationFailed
from shared.forecasting.models import BACKTEST_DAYS, ForecastGenerate

TODAY = date(2026, 12, 2)


@pytest.mark.parametrize(
    ("as_of", "first_day"),
    [
        (None, TODAY),
        (TODAY, TODAY),
        (TODAY - timedelta(days=14), TODAY - timedelta(days=14)),
        (TODAY - timedelta(days=BACKTEST_DAYS), TODAY - timedelta(days=BACKTEST_DAYS)),
    ],
)
def test_the_first_day_is_as_of_or_today(as_of: date | None, first_day: date) -> None:
    assert ForecastGenerate(campaign_id="c1", as_of=as_of).first_day(TODAY) == first_day


@pytest.mark.parametrize(
    ("as_of", "message"),
    [
        (TODAY + timedelta(days=1), "must not be after today"),
        (TODAY - timedelta(days=BACKTEST_DAYS + 1), f"at most {BACKTEST_DAYS} days before"),
    ],
)
def test_as_of_out_of_bounds_is_refused_naming_the_field(as_of: date, message: str) -> None:
    with pytest.raises(ValidationFailed, match=message) as refused:
        ForecastGenerate(campaign_id="c1", as_of=as_of).first_day(TODAY)
    assert refused.value.field == "as_of"
