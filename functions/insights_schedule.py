"""HTTP entry point for Cloud Scheduler: enqueue the daily insight sync of every account."""

from __future__ import annotations

import flask
import functions_framework

from shared.bootstrap import services


@functions_framework.http
def insights_schedule(request: flask.Request) -> flask.Response:
    queued = services().ad_accounts.enqueue_all_syncs()
    return flask.jsonify({"accounts_queued": queued})
