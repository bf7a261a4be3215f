"""HTTP entry point for Cloud Scheduler: recompute and store this hour's results of every
running experiment (a rerun in the same hour replaces that hour's run)."""

from __future__ import annotations

import flask
import functions_framework

from shared.bootstrap import services


@functions_framework.http
def experiments_hourly(request: flask.Request) -> flask.Response:
    summary = services().experiment_results.recompute_all()
    return flask.jsonify(summary.model_dump(mode="json"))
