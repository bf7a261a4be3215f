"""HTTP entry point for Cloud Scheduler: recalculate every active segment with auto_update of
every organization, as of the start of the UTC day (a rerun the same day writes nothing new)."""

from __future__ import annotations

import flask
import functions_framework

from shared.bootstrap import services


@functions_framework.http
def segments_daily(request: flask.Request) -> flask.Response:
    return flask.jsonify({"segments_calculated": services().segments.calculate_daily()})
