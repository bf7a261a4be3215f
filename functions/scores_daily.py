"""HTTP entry point for Cloud Scheduler: today's engagement and NPS scores (with the NPS
snapshot) of every organization; a rerun the same day replaces that day's scores."""

from __future__ import annotations

import flask
import functions_framework

from shared.bootstrap import services


@functions_framework.http
def scores_daily(request: flask.Request) -> flask.Response:
    return flask.jsonify({"persons_scored": services().scores.calculate_all(("engagement", "nps"))})
