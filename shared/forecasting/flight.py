"""A campaign flight's spend and goal metric to its end (GET /v1/campaigns/{id}/forecast), on
the one forecasting engine: the flight's complete days so far (shared.paid's daily delivery of
the platform campaigns linked to it) are the history, the days from today to the end of the
flight the horizon.

The flight runs from `start` to `end`, both included; its complete days are those before
`today`. A day without a figure had none (no delivery): it is a zero, as the engine reads every
series. A flight that is over has its total and no forecast; one with more days left than the
engine forecasts, or too little history, has no numbers and the reason.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

import pandas as pd

from shared.forecasting.engine import DEFAULT_LEVEL, MAX_HORIZON_DAYS, forecast_series

ForecastStatus = Literal["ok", "ended", "insufficient_data", "invalid_flight"]


@dataclass(frozen=True)
class SeriesForecast:
    status: ForecastStatus
    reason: str | None
    method: str | None
    level: float
    to_date: float
    """Sum of the flight's complete days so far."""
    days_observed: int
    remaining_days: int
    daily_rate: float | None = None
    """Mean forecast per remaining day."""
    remaining: float | None = None
    remaining_low: float | None = None
    remaining_high: float | None = None
    end_of_flight: float | None = None
    end_low: float | None = None
    end_high: float | None = None


@dataclass(frozen=True)
class FlightForecast:
    spend_micros: SeriesForecast
    goal: SeriesForecast


def forecast_flight(
    spend_micros: Mapping[date, int | None],
    goal: Mapping[date, float | None],
    *,
    start: date,
    end: date,
    today: date,
    level: float = DEFAULT_LEVEL,
) -> FlightForecast:
    """Spend (micros; forecasts are estimates, so floats) and the goal metric to flight end."""
    spend = {day: None if value is None else float(value) for day, value in spend_micros.items()}
    return FlightForecast(
        flight_series(spend, start=start, end=end, today=today, level=level),
        flight_series(goal, start=start, end=end, today=today, level=level),
    )


def flight_series(
    series: Mapping[date, float | None],
    *,
    start: date,
    end: date,
    today: date,
    level: float = DEFAULT_LEVEL,
) -> SeriesForecast:
    if end < start:
        return SeriesForecast(
            "invalid_flight", "the flight ends before it starts", None, level, 0.0, 0, 0
        )
    last_complete = min(end, today - timedelta(days=1))
    observed = max((last_complete - start).days + 1, 0)
    known = {
        day: value
        for day, value in series.items()
        if start <= day <= last_complete and value is not None
    }
    to_date = float(sum(known.values()))
    remaining_days = (end - max(today, start)).days + 1 if today <= end else 0
    if remaining_days == 0:
        return SeriesForecast(
            "ended",
            "the flight is over: the total is final",
            None,
            level,
            to_date,
            observed,
            0,
            remaining=0.0,
            remaining_low=0.0,
            remaining_high=0.0,
            end_of_flight=to_date,
            end_low=to_date,
            end_high=to_date,
        )
    if remaining_days > MAX_HORIZON_DAYS:
        reason = f"{remaining_days} days remain; forecasts reach {MAX_HORIZON_DAYS} days ahead"
        return SeriesForecast(
            "insufficient_data", reason, None, level, to_date, observed, remaining_days
        )
    history = pd.Series(
        [known.get(start + timedelta(days=i), 0.0) for i in range(observed)],
        index=pd.date_range(start, periods=observed, freq="D"),
        dtype=float,
    )
    result = forecast_series(history, remaining_days, level, last_day=last_complete)
    if result.total is None or result.total_lower is None or result.total_upper is None:
        return SeriesForecast(
            "insufficient_data", result.reason, None, level, to_date, observed, remaining_days
        )
    return SeriesForecast(
        "ok",
        None,
        result.method,
        level,
        to_date,
        observed,
        remaining_days,
        daily_rate=result.total / remaining_days,
        remaining=result.total,
        remaining_low=result.total_lower,
        remaining_high=result.total_upper,
        end_of_flight=to_date + result.total,
        end_low=to_date + result.total_lower,
        end_high=to_date + result.total_upper,
    )
