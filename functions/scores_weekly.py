"""HTTP entry point for Cloud Scheduler: this ISO week's churn-risk scores of every
organization; a rerun in the same week replaces that week's scores."""

from __future__ import annotations

import flask
import functions_framework

from shared.bootstrap import services


@functions_framework.http
def scores_weekly(request: flask.Request) -> flask.Response:
    return flask.jsonify({"persons_scored": services().scores.calculate_all(("churn_risk",))})
