"""HTTP entry point for Cloud Scheduler: the daily check of every Meta token's expiry (an alert
7 days ahead and one when it has expired, each raised once)."""

from __future__ import annotations

import flask
import functions_framework

from shared.bootstrap import services


@functions_framework.http
def ad_token_check(request: flask.Request) -> flask.Response:
    return flask.jsonify(services().token_checks.check_all())
