"""HTTP entry point for Cloud Scheduler: store this ISO week's forecast of every active
campaign (a rerun in the same week replaces them)."""

from __future__ import annotations

import flask
import functions_framework

from shared.bootstrap import services


@functions_framework.http
def forecasts_weekly(request: flask.Request) -> flask.Response:
    stored = services().forecasts.weekly()
    return flask.jsonify({"forecasts_stored": len(stored), "forecast_ids": stored})
