"""HTTP entry point: forecasts of spend, conversions and revenue (generate, list, accuracy)."""

from __future__ import annotations

import flask
import functions_framework

from shared.bootstrap import services
from shared.forecasting.models import AccuracyQuery, ForecastGenerate, ForecastListQuery
from shared.http.api import Call, HttpApi, Reply


def generate_forecast(call: Call) -> Reply:
    return Reply(201, services().forecasts.generate(call.principal, call.body(ForecastGenerate)))


def list_forecasts(call: Call) -> Reply:
    return Reply(200, services().forecasts.list(call.principal, call.query(ForecastListQuery)))


def forecast_accuracy(call: Call) -> Reply:
    return Reply(200, services().forecasts.accuracy(call.principal, call.query(AccuracyQuery)))


api = HttpApi(
    "forecasts_api",
    {
        "generateForecast": generate_forecast,
        "listForecasts": list_forecasts,
        "getForecastAccuracy": forecast_accuracy,
    },
)


@functions_framework.http
def forecasts_api(request: flask.Request) -> flask.Response:
    return api(request)
