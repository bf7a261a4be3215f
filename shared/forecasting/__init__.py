"""Forecasting: the one engine every forecast in the product uses (`engine.forecast_series`),
the daily series it is given (`series`: spend, conversions and revenue per campaign and
channel, from reachops.forecast_actuals_daily), stored forecasts (`service`: Firestore
`orgs/{org}/forecasts/{id}` and the warehouse table reachops.forecasts), their accuracy against
what happened (`accuracy`), and a campaign flight's spend and goal metric to its end (`flight`)."""

from shared.forecasting.engine import (
    DEFAULT_LEVEL,
    MAX_HORIZON_DAYS,
    Forecast,
    ForecastDay,
    forecast_series,
)

__all__ = ["DEFAULT_LEVEL", "MAX_HORIZON_DAYS", "Forecast", "ForecastDay", "forecast_series"]
