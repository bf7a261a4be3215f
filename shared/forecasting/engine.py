"""The one forecasting engine: a daily series to `horizon_days` ahead, with prediction
intervals, or no numbers and the reason why.

Model (statsmodels ETSModel, additive errors, fitted by maximum likelihood):
* at least SEASONAL_MIN_DAYS (two full weeks) of history: additive weekly seasonality
  (period 7), with no trend or an additive damped trend, whichever has the lower AICc;
* at least MIN_HISTORY_DAYS: no seasonality, no trend or a damped trend (by AICc);
* fewer: no forecast, `reason` says how many days there are and how many are needed.
A history that never varies forecasts its constant value with no spread (method "constant"):
a likelihood fit of a zero-variance series is degenerate, and the honest forecast is flat.

Intervals: ETS's own intervals (analytic or simulated) draw independent innovations. On real
daily series the one-step residuals stay autocorrelated (a spend push lasts several days, a
weekly pattern drifts), and independent draws then make the spread of a multi-day total too
narrow. So future paths are simulated through the fitted model's own state recursion
(ETSResults.simulate, anchored at the end of the history) with errors drawn by a moving-block
bootstrap of the in-sample residuals: blocks of BLOCK_DAYS consecutive residuals keep their
short-range dependence and their real (often skewed) distribution. In-sample residuals are
smaller than the errors of days the model has not seen, so they are first scaled by
sqrt(n / (n - k)), k the fitted parameters and initial states (without it an 80 % interval
held about 75 % of days in tests/unit/test_forecasting_engine.py's series). Each day's bounds
are the (1 - level) / 2 and (1 + level) / 2 quantiles of the simulated paths, and the horizon
total's bounds the same quantiles of the paths' sums (a sum of daily bounds is not a bound of
the sum).

Days missing from the history are zeros, not gaps (no row means nothing was spent or
converted): the series is reindexed daily from its first day to `last_day` (default its own
last day). The model is fitted to the series divided by its largest magnitude (money in micros
reaches 1e12, which the optimiser handles badly) and its figures scaled back. Non-negative
metrics have their simulated paths, and so points and bounds, clipped
at 0. The bootstrap uses a fixed seed, so the same input always gives the same figures.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd
from statsmodels.tools.sm_exceptions import ConvergenceWarning
from statsmodels.tsa.exponential_smoothing.ets import ETSModel, ETSResults

MIN_HISTORY_DAYS = 7
SEASONAL_MIN_DAYS = 14
SEASONAL_PERIOD = 7
BLOCK_DAYS = 7
SIMULATIONS = 2000
SEED = 20_261_202
MAX_HORIZON_DAYS = 90
HEURISTIC_MIN_DAYS = 16
"""From here the initial states come from statsmodels' heuristic (it needs 10 + 2 * (7 // 2)
points), which is an order of magnitude faster than estimating them with the parameters."""
DEFAULT_LEVEL = 0.8


@dataclass(frozen=True)
class ForecastDay:
    day: date
    predicted: float
    lower: float
    upper: float


@dataclass(frozen=True)
class Forecast:
    """`days` is empty and `reason` says why when there is no forecast."""

    method: str | None
    level: float
    history_days: int
    days: tuple[ForecastDay, ...] = ()
    total: float | None = None
    total_lower: float | None = None
    total_upper: float | None = None
    reason: str | None = None


def daily_history(history: pd.Series, last_day: date | None = None) -> pd.Series:
    """One value per day from the first day to `last_day` (default the series' last day);
    days without a value are 0.0."""
    if history.empty:
        return pd.Series(dtype=float)
    values = pd.Series(history.to_numpy(dtype=float), index=pd.DatetimeIndex(history.index))
    values = values.groupby(pd.DatetimeIndex(values.index).normalize()).sum()
    end = pd.Timestamp(last_day) if last_day is not None else values.index.max()
    days = pd.date_range(values.index.min(), end, freq="D")
    return values.reindex(days, fill_value=0.0).fillna(0.0)


def forecast_series(
    history: pd.Series,
    horizon_days: int,
    level: float = DEFAULT_LEVEL,
    *,
    last_day: date | None = None,
    non_negative: bool = True,
) -> Forecast:
    """Forecast the `horizon_days` days after the history's last day (see the module doc)."""
    if not 1 <= horizon_days <= MAX_HORIZON_DAYS:
        raise ValueError(f"horizon_days must be 1..{MAX_HORIZON_DAYS}")
    if not 0.0 < level < 1.0:
        raise ValueError("level must be between 0 and 1 (exclusive)")
    series = daily_history(history, last_day)
    n = len(series)
    if n < MIN_HISTORY_DAYS:
        return Forecast(
            method=None,
            level=level,
            history_days=n,
            reason=f"{n} days of history, need at least {MIN_HISTORY_DAYS}",
        )
    first_future = series.index[-1].date() + timedelta(days=1)
    future = [first_future + timedelta(days=i) for i in range(horizon_days)]
    values = series.to_numpy()
    if np.ptp(values) == 0.0:
        paths = np.full((horizon_days, 1), values[-1])
        return _summarise("constant", level, n, future, paths, paths[:, 0], non_negative)
    scale = float(np.max(np.abs(values)))
    fitted = _best_fit(series / scale)
    if fitted is None:
        reason = "no exponential smoothing model could be fitted to this history"
        return Forecast(method=None, level=level, history_days=n, reason=reason)
    point = np.asarray(fitted.forecast(horizon_days), dtype=float) * scale
    errors = _block_bootstrap(_scaled_residuals(fitted), horizon_days)
    simulated = fitted.simulate(
        horizon_days, anchor="end", repetitions=SIMULATIONS, random_errors=errors
    )
    paths = np.asarray(simulated, dtype=float).reshape(horizon_days, SIMULATIONS) * scale
    return _summarise(_method(fitted), level, n, future, paths, point, non_negative)


def _best_fit(series: pd.Series) -> ETSResults | None:
    seasonal = len(series) >= SEASONAL_MIN_DAYS
    fits = []
    for damped in (False, True):
        model = ETSModel(
            series,
            error="add",
            trend="add" if damped else None,
            damped_trend=damped,
            seasonal="add" if seasonal else None,
            seasonal_periods=SEASONAL_PERIOD if seasonal else None,
            initialization_method="heuristic" if len(series) >= HEURISTIC_MIN_DAYS else "estimated",
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            warnings.simplefilter("ignore", RuntimeWarning)
            fit = model.fit(disp=False)
        if math.isfinite(fit.aicc):
            fits.append(fit)
    return min(fits, key=lambda fit: fit.aicc, default=None)


def _method(fitted: ETSResults) -> str:
    model = fitted.model
    trend = "Ad" if model.damped_trend else "N"
    season = "A" if model.seasonal else "N"
    return f"ets(A,{trend},{season})+block_bootstrap"


def _scaled_residuals(fitted: ETSResults) -> np.ndarray:
    """In-sample residuals are smaller than out-of-sample errors by the fitted degrees of
    freedom (smoothing parameters and initial states): scale them by sqrt(n / (n - k))."""
    residuals = np.asarray(fitted.resid, dtype=float)
    model = fitted.model
    states = 1 + int(model.has_trend) + (model.seasonal_periods if model.has_seasonal else 0)
    k = fitted.df_model + states
    return residuals * math.sqrt(len(residuals) / max(len(residuals) - k, 1))


def _block_bootstrap(residuals: np.ndarray, horizon: int) -> np.ndarray:
    """(horizon, SIMULATIONS) errors: moving blocks of centred residuals, laid end to end."""
    centred = residuals - residuals.mean()
    block = min(BLOCK_DAYS, max(1, len(centred) // 3))  # short histories: room for many blocks
    starts_per_path = -(-horizon // block)
    rng = np.random.default_rng(SEED)
    starts = rng.integers(0, len(centred) - block + 1, size=(SIMULATIONS, starts_per_path))
    offsets = starts[:, :, None] + np.arange(block)
    errors: np.ndarray = centred[offsets].reshape(SIMULATIONS, -1)[:, :horizon].T
    return errors


def _summarise(  # noqa: PLR0917 - one private call site per path
    method: str,
    level: float,
    history_days: int,
    future: list[date],
    paths: np.ndarray,
    point: np.ndarray,
    non_negative: bool,
) -> Forecast:
    if non_negative:
        paths = np.clip(paths, 0.0, None)
        point = np.clip(point, 0.0, None)
    tails = [(1 - level) / 2, (1 + level) / 2]
    lower, upper = np.quantile(paths, tails, axis=1)
    total_lower, total_upper = np.quantile(paths.sum(axis=0), tails)
    return Forecast(
        method=method,
        level=level,
        history_days=history_days,
        days=tuple(
            ForecastDay(day, float(p), float(lo), float(hi))
            for day, p, lo, hi in zip(future, point, lower, upper, strict=True)
        ),
        total=float(point.sum()),
        total_lower=float(total_lower),
        total_upper=float(total_upper),
    )
