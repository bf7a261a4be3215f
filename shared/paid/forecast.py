"""Forecast a daily series (spend, or the goal metric) to the end of a campaign flight.

The flight runs from `start` to `end`, both included. The complete days so far are the flight
days before `today`; the remaining days are today to `end`. A day absent from the series, or
None, is unknown: it adds nothing to the total so far and is left out of the fit (`days_known`
says how many days had a figure).

Methods (ForecastSettings.method), fitted on the known days among the last `window_days`
complete days (None: the whole flight so far):

* "mean" (default): days are independent draws around a constant daily rate. The remaining total
  is m * mean, and its prediction interval m * mean +- t(n-1) * s * sqrt(m + m^2 / n), the
  standard interval for a sum of m future draws (m remaining days, n days used, s their sample
  standard deviation).
* "linear": a straight-line trend in the day, by least squares; the remaining total is the sum
  of the line over the remaining days, with the prediction interval of that sum
  (t(n-2) * s * sqrt(m + a' (X'X)^-1 a), a = the sum of the remaining days' design rows).

Both bounds are clipped at 0, as neither spend nor conversions can be negative. Too few known
days (fewer than `min_days`, default 3) gives an "insufficient_data" result with the counts, and
no numbers. A flight that is over has its total and no forecast.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Literal

import numpy as np
from scipy import stats

ForecastStatus = Literal["ok", "ended", "insufficient_data", "invalid_flight"]


@dataclass(frozen=True)
class ForecastSettings:
    method: Literal["mean", "linear"] = "mean"
    window_days: int | None = 14
    """The most recent complete days the model is fitted on; None = the whole flight so far."""
    min_days: int = 3
    level: float = 0.95
    """Coverage of the prediction interval."""


DEFAULT_FORECAST = ForecastSettings()


@dataclass(frozen=True)
class SeriesForecast:
    status: ForecastStatus
    reason: str | None
    method: str
    level: float
    to_date: float
    """Sum of the known complete days of the flight so far."""
    days_observed: int
    days_known: int
    days_used: int
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
    settings: ForecastSettings = DEFAULT_FORECAST,
) -> FlightForecast:
    """Spend (micros; forecasts are estimates, so floats) and the goal metric to flight end."""
    spend = {day: None if value is None else float(value) for day, value in spend_micros.items()}
    return FlightForecast(
        forecast_series(spend, start=start, end=end, today=today, settings=settings),
        forecast_series(goal, start=start, end=end, today=today, settings=settings),
    )


def forecast_series(
    series: Mapping[date, float | None],
    *,
    start: date,
    end: date,
    today: date,
    settings: ForecastSettings = DEFAULT_FORECAST,
) -> SeriesForecast:
    if end < start:
        return SeriesForecast(
            status="invalid_flight",
            reason="the flight ends before it starts",
            method=settings.method,
            level=settings.level,
            to_date=0.0,
            days_observed=0,
            days_known=0,
            days_used=0,
            remaining_days=0,
        )
    last_complete = min(end, today - timedelta(days=1))
    observed = max((last_complete - start).days + 1, 0)
    known = {
        day: value
        for day, value in series.items()
        if start <= day <= last_complete and value is not None and math.isfinite(value)
    }
    to_date = float(sum(known.values()))
    remaining_days = (end - max(today, start)).days + 1 if today <= end else 0
    first_used = start
    if settings.window_days is not None:
        first_used = max(start, last_complete - timedelta(days=settings.window_days - 1))
    used = sorted((day, value) for day, value in known.items() if day >= first_used)
    base = SeriesForecast(
        status="ok",
        reason=None,
        method=settings.method,
        level=settings.level,
        to_date=to_date,
        days_observed=observed,
        days_known=len(known),
        days_used=len(used),
        remaining_days=remaining_days,
    )
    if remaining_days == 0:
        return replace(
            base,
            status="ended",
            reason="the flight is over: the total is final",
            remaining=0.0,
            remaining_low=0.0,
            remaining_high=0.0,
            end_of_flight=to_date,
            end_low=to_date,
            end_high=to_date,
        )
    need = max(settings.min_days, 3 if settings.method == "linear" else 2)
    if len(used) < need:
        reason = (
            f"{len(used)} complete days with a figure in the window, need {need}"
            f" ({observed} complete flight days so far)"
        )
        return replace(base, status="insufficient_data", reason=reason)
    offsets = np.array([(day - start).days for day, _ in used], dtype=float)
    values = np.array([value for _, value in used], dtype=float)
    future = np.arange(remaining_days, dtype=float) + (max(today, start) - start).days
    if settings.method == "mean":
        centre, spread, df = _mean_sum(values, remaining_days)
    else:
        centre, spread, df = _linear_sum(offsets, values, future)
    margin = float(stats.t.ppf((1 + settings.level) / 2, df)) * spread
    low, high = max(centre - margin, 0.0), max(centre + margin, 0.0)
    centre = max(centre, 0.0)
    return replace(
        base,
        daily_rate=centre / remaining_days,
        remaining=centre,
        remaining_low=low,
        remaining_high=high,
        end_of_flight=to_date + centre,
        end_low=to_date + low,
        end_high=to_date + high,
    )


def _mean_sum(values: np.ndarray, m: int) -> tuple[float, float, int]:
    n = len(values)
    sd = float(np.std(values, ddof=1))
    return float(m * values.mean()), sd * math.sqrt(m + m * m / n), n - 1


def _linear_sum(
    offsets: np.ndarray, values: np.ndarray, future: np.ndarray
) -> tuple[float, float, int]:
    design = np.column_stack([np.ones_like(offsets), offsets])
    coefficients, *_ = np.linalg.lstsq(design, values, rcond=None)
    residuals = values - design @ coefficients
    df = len(values) - 2
    sigma = math.sqrt(float(residuals @ residuals) / df)
    summed = np.array([len(future), float(future.sum())])
    inverse = np.linalg.pinv(design.T @ design)
    variance = len(future) + float(summed @ inverse @ summed)
    return float(summed @ coefficients), sigma * math.sqrt(variance), df
